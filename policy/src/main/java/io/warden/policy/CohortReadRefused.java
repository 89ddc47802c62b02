package io.warden.policy;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A person's read of a cohort run was refused. Stable codes: {@code not-entitled} (403,
 * {@code SCOPE_NOT_GRANTED}), {@code kill-switch} (403, {@code KILL_SWITCH}), {@code purpose-not-granted} (403,
 * field {@code purposeOfUse}), {@code purpose-required} (400, field {@code purposeOfUse}: the reader holds several
 * purposes on the dataset; {@code choices} lists them), {@code entitlements-unavailable} (503,
 * {@code DECISION_UNAVAILABLE}).
 */
public final class CohortReadRefused extends RuntimeException {

    private final int status;
    private final String code;
    private final List<String> reasons;
    private final @Nullable String field;
    private final Map<String, Object> properties;

    public CohortReadRefused(int status, String code, String reason, @Nullable String field, String message,
            Map<String, Object> properties) {
        super(message);
        this.status = status;
        this.code = code;
        this.reasons = List.of(reason);
        this.field = field;
        this.properties = Map.copyOf(properties);
    }

    /** 400, 403 or 503. */
    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<String> reasons() {
        return reasons;
    }

    public @Nullable String field() {
        return field;
    }

    public Map<String, Object> properties() {
        return properties;
    }
}
