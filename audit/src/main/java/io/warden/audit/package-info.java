/**
 * Warden's audit trail: an append-only, hash-chained log in PostgreSQL with Ed25519-signed checkpoints,
 * verification and compliance exports.
 *
 * <p>Entry points: {@link io.warden.audit.AuditLog#append(AuditEvent)} (returns once the event is durably
 * committed, or throws {@link io.warden.audit.AuditWriteFailed}; security paths deny on that), the reads
 * {@link io.warden.audit.AuditTrail} and {@link io.warden.audit.AuditAnalytics},
 * {@link io.warden.audit.AuditVerifier#verify(long, long)}, and the offline
 * {@link io.warden.audit.ExportVerifier} for exported files. Each record's canonical form is versioned
 * (RFC 8785 JSON) and chained: {@code hash_n = SHA-256(hash_(n-1) || canonical(event_n))}.
 *
 * <p>Depends on no other Warden module; the others record their events here. It also hosts the one vocabulary
 * every module's errors share, the {@code problem} named interface ({@link io.warden.audit.problem.Problems}).
 */
@NullMarked
@ApplicationModule(
        displayName = "audit",
        allowedDependencies = {})
package io.warden.audit;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
