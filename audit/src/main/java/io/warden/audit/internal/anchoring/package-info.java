/**
 * Anchoring the audit trail outside the database: each signed checkpoint is time-stamped by an RFC 3161
 * time-stamp authority ({@link io.warden.audit.internal.anchoring.HttpTimeStampAuthority}) after it commits,
 * off the writer's thread ({@link io.warden.audit.internal.anchoring.CheckpointAnchorer}), and the token is
 * stored beside it. {@link io.warden.audit.internal.anchoring.TimestampVerifier} checks tokens against the
 * trusted authorities' certificates for the database's verifier and the offline export verifier alike.
 *
 * <p>What it proves: a history changed before an anchored checkpoint no longer matches that checkpoint's token,
 * and a token obtained afterwards for the changed history carries the later time. Settings under
 * {@code warden.audit.anchoring} ({@link io.warden.audit.internal.anchoring.AnchoringProperties}).
 */
@NullMarked
package io.warden.audit.internal.anchoring;

import org.jspecify.annotations.NullMarked;
