package io.warden.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Retention of the trail: which records are past their kind's retention, the signed archive of the removable
 * start of the chain, a second person's approval, and the removal itself, which the database's
 * {@code audit_remove_prefix} function checks again (archive, approval, holds, age) before it removes anything.
 * Also the legal holds that block removal. Every change is recorded in the trail. Thread-safe.
 */
public interface AuditRetention {

    /**
     * The records of one kind (actions under {@code prefix}; {@code *} for those no rule names) past its retention.
     *
     * @param firstSequence the oldest such record, null when none
     * @param lastSequence  the newest such record, null when none
     */
    record ExpiredRange(
            String prefix,
            Duration retention,
            long records,
            @Nullable Long firstSequence,
            @Nullable Long lastSequence) {}

    /** An archive of records {@code firstSequence..lastSequence}, and whether it was approved and removed. */
    record Archive(
            UUID id,
            long firstSequence,
            long lastSequence,
            long events,
            String file,
            String sha256,
            String requestedBy,
            Instant createdAt,
            @Nullable String approvedBy,
            @Nullable Instant approvedAt,
            @Nullable Instant removedAt) {}

    /** Past-retention records by kind, per configured rule and the default. */
    List<ExpiredRange> expired();

    /**
     * The removable start of the chain: from its first record to the last signed checkpoint before the first
     * record that is not yet past its kind's retention or that a hold covers; empty when nothing is removable.
     */
    @Nullable
    Range removable();

    /** A range of sequence numbers, both ends included. */
    record Range(long first, long last) {}

    /**
     * Writes the removable start of the chain to the archive folder as a signed NDJSON export, records its
     * SHA-256 ({@code audit.retention.archived}) and returns it, not yet approved.
     *
     * @throws RetentionRefused {@code nothing-expired} when nothing is removable
     */
    Archive archive(String requestedBy);

    /**
     * Records the second person's approval ({@code audit.retention.approved}).
     *
     * @throws RetentionRefused {@code not-found}; {@code approver-is-requester} (forbidden); {@code approved-already}
     */
    Archive approve(UUID archiveId, String approvedBy);

    /**
     * Removes the archived records through the database's removal function and records
     * {@code audit.retention.removed}; the remaining chain verifies from the returned marker.
     *
     * @throws RetentionRefused with the function's refusal ({@code held}, {@code too-young}, {@code not-approved}, ...)
     */
    ChainMarker remove(UUID archiveId);

    /** Archives, newest first (at most 500). */
    List<Archive> archives();

    /** The marker where the chain now starts; null while nothing was ever removed. */
    @Nullable
    ChainMarker marker();

    /** Places a hold ({@code audit.legal_hold.placed}). */
    LegalHold placeHold(LegalHold.Scope scope, String by);

    /** Holds, active first, then newest (at most 500). */
    List<LegalHold> holds();

    /**
     * Releases a hold ({@code audit.legal_hold.released}).
     *
     * @throws RetentionRefused {@code not-found}; {@code hold-released} when released already
     */
    LegalHold releaseHold(UUID id, String by);
}
