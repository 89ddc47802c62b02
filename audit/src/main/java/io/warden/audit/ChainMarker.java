package io.warden.audit;

import java.time.Instant;
import java.util.UUID;

/**
 * Where the chain starts after a retention removal: the first remaining record and the hash it chains from,
 * which the checkpoint ending at {@code anchorSequence} signed (that checkpoint is kept, so the marker verifies
 * with the same public keys as every other checkpoint). What was removed is in the archive named here.
 *
 * @param archiveSha256 hex SHA-256 of the archive file the removed records were written to first
 */
public record ChainMarker(
        long firstSequence,
        long anchorSequence,
        String anchorHash,
        String keyId,
        UUID archiveId,
        String archiveSha256,
        long removed,
        Instant removedAt) {}
