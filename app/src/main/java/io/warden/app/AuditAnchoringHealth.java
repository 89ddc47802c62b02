package io.warden.app;

import io.warden.audit.AuditAnchoring;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health/auditAnchoring}: whether checkpoints are being anchored by an RFC 3161 time-stamp
 * authority. Always UP, on purpose: appends go on without an authority, and an instance taken out of service
 * for a slow TSA would lose far more than it protects. The detail {@code anchoring} says {@code off} (no TSA
 * configured), {@code ok}, or {@code DEGRADED} (no authority has answered for some rounds; the newest history
 * is unanchored for longer than the bound) with the last failure, for an alert on it and on
 * {@code warden.audit.anchoring.failures}.
 */
@Component("auditAnchoringHealthIndicator")
class AuditAnchoringHealth extends AbstractHealthIndicator {

    private final AuditAnchoring anchoring;

    AuditAnchoringHealth(AuditAnchoring anchoring) {
        this.anchoring = anchoring;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        AuditAnchoring.Status status = anchoring.status();
        builder.up();
        if (!status.enabled()) {
            builder.withDetail("anchoring", "off")
                    .withDetail(
                            "reason",
                            "No RFC 3161 time-stamp authority is configured (warden.audit.anchoring.tsa-urls): "
                                    + "history after the last checkpoint can be cut or rewritten by whoever holds the "
                                    + "database and the signing key without a trace outside the database");
            return;
        }
        builder.withDetail("anchoring", status.consecutiveFailures() == 0 ? "ok" : "DEGRADED")
                .withDetail("authorities", status.authorities())
                .withDetail("every", status.every().toString())
                .withDetail("lastAnchoredSequence", status.lastAnchoredSequence())
                .withDetail("pending", status.pending());
        if (status.lastAnchoredAt() != null) {
            builder.withDetail("lastAnchoredAt", status.lastAnchoredAt().toString());
        }
        if (status.consecutiveFailures() > 0) {
            builder.withDetail("consecutiveFailures", status.consecutiveFailures());
            if (status.lastFailure() != null) {
                builder.withDetail("lastFailure", status.lastFailure());
            }
        }
    }
}
