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
 *
 * <p>The rest is package-private; what stays public, and why:
 * <ul>
 *   <li>{@code PostgresAuditLog}, {@code PostgresAuditTrail}, {@code PostgresAuditVerifier}, {@code AuditProperties}:
 *       the audit benchmark ({@code bench} {@code AuditBench}) builds the real writer, reads and verifier outside
 *       Spring.
 *   <li>{@code AuditExporter}: the benchmark exports with it, and {@code AuditApiTests} (app) writes an export
 *       signed with a planted key.
 *   <li>{@code SigningKeys}: the root's {@code ExportVerifier} reads keys with it, the benchmark and
 *       {@code AuditApiTests} make keys with it.
 *   <li>{@code Chain}, {@code ChainVerifier}, {@code CheckpointCodecV1}, {@code ExportVerifierFormats}: the root's
 *       {@code ExportVerifier} (the offline {@code verify-export} entry point) verifies with the same code as the
 *       database's verifier.
 * </ul>
 */
@NullMarked
package io.warden.audit.internal;

import org.jspecify.annotations.NullMarked;
