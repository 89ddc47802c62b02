package io.warden.registry;

import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Base of every error a registry use case reports. Each subclass has a stable {@link #code()} (the last
 * segment of the problem type URI) and a {@link ProblemKind} the web edge maps to an HTTP status.
 */
public abstract sealed class RegistryException extends ProblemException
        permits RegistryException.NotFound,
                RegistryException.IllegalStatusTransition,
                RegistryException.StaleVersion,
                RegistryException.AccessRuleViolated,
                RegistryException.InvalidField,
                RegistryException.AlreadyExists,
                RegistryException.IdempotencyKeyReused,
                RegistryException.Conflict {

    private RegistryException(
            String code, ProblemKind kind, String detail, @Nullable String field, Map<String, Object> properties) {
        super(code, kind, detail, field, properties);
    }

    /** The agent, approval, data scope or tool does not exist. */
    public static final class NotFound extends RegistryException {
        public NotFound(String what, Object id) {
            super(
                    what + "-not-found",
                    ProblemKind.NOT_FOUND,
                    "No " + what.replace('-', ' ') + " with id '" + id + "'",
                    null,
                    Map.of());
        }
    }

    /** The agent's current status does not allow the requested transition. */
    public static final class IllegalStatusTransition extends RegistryException {
        public IllegalStatusTransition(Object agentId, AgentStatus current, String attempted) {
            super(
                    "illegal-status-transition",
                    ProblemKind.CONFLICT,
                    "Agent " + agentId + " is " + current + "; it cannot " + attempted + " from " + current,
                    null,
                    Map.of("currentStatus", current.name()));
        }
    }

    /** The caller changed a resource from a version that is no longer current. */
    public static final class StaleVersion extends RegistryException {
        public StaleVersion(String what, Object id, long given, long current) {
            super(
                    "stale-version",
                    ProblemKind.CONFLICT,
                    "The " + what + " " + id + " is at version " + current + ", not " + given
                            + "; reload it and try again",
                    "version",
                    Map.of("currentVersion", current));
        }
    }

    /** A governance rule forbids this actor from doing this, beyond the endpoint's role rule. */
    public static final class AccessRuleViolated extends RegistryException {
        public AccessRuleViolated(String rule, String detail) {
            super("access-rule-violated", ProblemKind.FORBIDDEN, detail, null, Map.of("rule", rule));
        }
    }

    /** A field names something that does not exist or breaks a rule that plain validation cannot see. */
    public static final class InvalidField extends RegistryException {
        public InvalidField(String field, String detail) {
            super("invalid-field", ProblemKind.INVALID, detail, field, Map.of());
        }
    }

    /** Something with this key already exists. */
    public static final class AlreadyExists extends RegistryException {
        public AlreadyExists(String field, String detail) {
            super("already-exists", ProblemKind.CONFLICT, detail, field, Map.of());
        }
    }

    /** The idempotency key was used before with a different request. */
    public static final class IdempotencyKeyReused extends RegistryException {
        public IdempotencyKeyReused(String key) {
            super(
                    "idempotency-key-reused",
                    ProblemKind.UNPROCESSABLE,
                    "Idempotency-Key '" + key + "' was already used for a different request",
                    "Idempotency-Key",
                    Map.of());
        }
    }

    /** The request conflicts with the resource's state (other than its status). */
    public static final class Conflict extends RegistryException {
        public Conflict(String code, String detail) {
            super(code, ProblemKind.CONFLICT, detail, null, Map.of());
        }
    }
}
