/**
 * The audit log's implementation: the canonical forms ({@link io.warden.audit.internal.CanonicalJson},
 * {@link io.warden.audit.internal.RecordCodecV1}, {@link io.warden.audit.internal.CheckpointCodecV1}),
 * the group-committing PostgreSQL writer ({@link io.warden.audit.internal.PostgresAuditLog}), its reads
 * ({@link io.warden.audit.internal.PostgresAuditTrail}) and verifier ({@link io.warden.audit.internal.PostgresAuditVerifier}),
 * the row layout they share ({@link io.warden.audit.internal.AuditRows}), the chain verifier shared by the
 * database and the offline export verifier, the Ed25519 checkpoint keys, exports and the REST API under {@code /api/v1/audit}.
 *
 * <p>Formats that outlive a release carry a version and are never edited: a new canonical form is a new
 * codec class, and records keep the version they were hashed with.
 */
@NullMarked
package io.warden.audit.internal;

import org.jspecify.annotations.NullMarked;
