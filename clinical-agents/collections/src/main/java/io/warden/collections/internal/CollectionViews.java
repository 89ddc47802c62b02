package io.warden.collections.internal;

import io.warden.clinical.IndexKind;
import io.warden.clinical.Modality;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What the API answers about collections, their versions and evaluations, and how rows become them. */
final class CollectionViews {

    private CollectionViews() {}

    /** A governed collection. */
    record CollectionView(
            String name,
            String displayName,
            String dataScope,
            Modality modality,
            String embeddingModel,
            IndexKind indexKind,
            int dimension,
            boolean deidentified,
            String labelField,
            String status,
            long currentVersion,
            String managedBy,
            String createdBy,
            Instant createdAt,
            @Nullable String retiredBy,
            @Nullable Instant retiredAt,
            @Nullable String retireReason) {}

    /**
     * One version and its build's progress; {@code rejections} only when one version is read; {@code prunedAt} when the
     * files of a superseded or failed version were deleted.
     */
    record VersionView(
            String collection,
            long version,
            String state,
            String sourceKind,
            long total,
            long processed,
            long accepted,
            long rejected,
            long committedPosition,
            long itemCount,
            String createdBy,
            Instant createdAt,
            @Nullable Instant finishedAt,
            @Nullable String reason,
            @Nullable String error,
            List<Rejection> rejections,
            @Nullable Instant prunedAt) {}

    /** An input a build refused. */
    record Rejection(long position, String reference, String code, String reason) {}

    /** An accepted upload, which a build names. */
    record UploadView(String id, String collection, long bytes, String sha256) {}

    /** An evaluation stored with its version. */
    record EvaluationView(
            String id,
            String collection,
            long version,
            String createdBy,
            Instant createdAt,
            Map<String, Object> settings,
            Map<String, Object> result) {}

    static CollectionView collection(ResultSet rs, int row) throws SQLException {
        return new CollectionView(
                rs.getString("name"),
                rs.getString("display_name"),
                rs.getString("data_scope"),
                Modality.valueOf(rs.getString("modality")),
                rs.getString("embedding_model"),
                IndexKind.valueOf(rs.getString("index_kind")),
                rs.getInt("dimension"),
                rs.getBoolean("deidentified"),
                rs.getString("label_field"),
                rs.getString("status"),
                rs.getLong("current_version"),
                rs.getString("managed_by"),
                rs.getString("created_by"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getString("retired_by"),
                instant(rs.getTimestamp("retired_at")),
                rs.getString("retire_reason"));
    }

    static VersionView version(ResultSet rs, int row) throws SQLException {
        return new VersionView(
                rs.getString("collection"),
                rs.getLong("version"),
                rs.getString("state"),
                rs.getString("source_kind"),
                rs.getLong("total"),
                rs.getLong("processed"),
                rs.getLong("accepted"),
                rs.getLong("rejected"),
                rs.getLong("committed_position"),
                rs.getLong("item_count"),
                rs.getString("created_by"),
                rs.getTimestamp("created_at").toInstant(),
                instant(rs.getTimestamp("finished_at")),
                rs.getString("reason"),
                rs.getString("error"),
                List.of(),
                instant(rs.getTimestamp("pruned_at")));
    }

    static VersionView withRejections(VersionView v, List<Rejection> rejections) {
        return new VersionView(
                v.collection(),
                v.version(),
                v.state(),
                v.sourceKind(),
                v.total(),
                v.processed(),
                v.accepted(),
                v.rejected(),
                v.committedPosition(),
                v.itemCount(),
                v.createdBy(),
                v.createdAt(),
                v.finishedAt(),
                v.reason(),
                v.error(),
                List.copyOf(rejections),
                v.prunedAt());
    }

    private static @Nullable Instant instant(@Nullable Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
