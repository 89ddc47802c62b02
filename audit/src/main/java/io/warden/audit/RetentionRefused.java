package io.warden.audit;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A retention or legal-hold request refused, with a stable code: {@code nothing-expired}, {@code not-found},
 * {@code approver-is-requester} (forbidden), {@code archive-missing}, {@code removed-already},
 * {@code not-approved}, {@code not-the-start}, {@code not-at-checkpoint}, {@code too-young}, {@code held},
 * {@code archive-mismatch}, {@code hold-released} (conflicts), {@code invalid-field} (invalid, naming the field).
 */
public final class RetentionRefused extends ProblemException {

    public RetentionRefused(ProblemKind kind, String code, String message) {
        super(code, kind, message);
    }

    private RetentionRefused(String field, String message) {
        super("invalid-field", ProblemKind.INVALID, message, field, Map.of());
    }

    /** A request whose {@code field} is missing or out of range. */
    public static RetentionRefused invalid(String field, String message) {
        return new RetentionRefused(field, message);
    }

    /** Whether the refusal came from the database's own checks (the removal function), by its code. */
    public static @Nullable String codeOfSqlState(@Nullable String sqlState) {
        if (sqlState == null) {
            return null;
        }
        return switch (sqlState) {
            case "WA001" -> "archive-missing";
            case "WA002" -> "removed-already";
            case "WA003" -> "not-approved";
            case "WA004" -> "not-the-start";
            case "WA005" -> "not-at-checkpoint";
            case "WA006" -> "too-young";
            case "WA007" -> "held";
            case "WA008" -> "archive-mismatch";
            default -> null;
        };
    }
}
