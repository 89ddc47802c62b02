package io.warden.policy;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A person's read of a cohort run was refused. Stable codes: {@code not-entitled} (forbidden,
 * {@code SCOPE_NOT_GRANTED}), {@code kill-switch} (forbidden, {@code KILL_SWITCH}), {@code purpose-not-granted}
 * (forbidden, field {@code purposeOfUse}), {@code purpose-required} (invalid, field {@code purposeOfUse}: the reader
 * holds several purposes on the dataset; {@code choices} lists them), {@code entitlements-unavailable} (unavailable,
 * {@code DECISION_UNAVAILABLE}). The reasons travel as the problem's {@code reasons} member.
 */
public final class CohortReadRefused extends ProblemException {

    private final List<String> reasons;

    public CohortReadRefused(
            ProblemKind kind,
            String code,
            String reason,
            @Nullable String field,
            String message,
            Map<String, Object> properties) {
        super(code, kind, message, field, withReasons(properties, List.of(reason)));
        this.reasons = List.of(reason);
    }

    private static Map<String, Object> withReasons(Map<String, Object> properties, List<String> reasons) {
        Map<String, Object> all = new LinkedHashMap<>(properties);
        all.put("reasons", reasons);
        return all;
    }

    public List<String> reasons() {
        return reasons;
    }
}
