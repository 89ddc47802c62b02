package io.warden.collections.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.VectorCollections;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Deletes the files of versions no instance serves any more: a version superseded, or a build that failed, longer ago
 * than {@code warden.collections.superseded-retention}. Its index (retrieval's storage) and its committed items (the
 * collections' storage) go; its row stays, with {@code pruned_at}, its counts, rejections and evaluations. Without this,
 * an item an admin removed from a collection (a wrong label, a patient's withdrawal) would stay readable on disk in
 * every older version. Every instance runs it; deleting is idempotent and each version's record is written once.
 */
final class CollectionPruner {

    private static final Logger log = LoggerFactory.getLogger(CollectionPruner.class);

    private record Stale(String collection, long version, String state) {}

    private final JdbcClient jdbc;
    private final CollectionService collections;
    private final @Nullable VectorCollections store;
    private final AuditLog audit;
    private final CollectionsProperties properties;
    private final Clock clock;

    CollectionPruner(
            JdbcClient jdbc,
            CollectionService collections,
            @Nullable VectorCollections store,
            AuditLog audit,
            CollectionsProperties properties,
            Clock clock) {
        this.jdbc = jdbc;
        this.collections = collections;
        this.store = store;
        this.audit = audit;
        this.properties = properties;
        this.clock = clock;
    }

    @Scheduled(
            initialDelayString = "${warden.collections.prune-every:PT10M}",
            fixedDelayString = "${warden.collections.prune-every:PT10M}")
    void prune() {
        try {
            pruneBefore(clock.instant().minus(properties.supersededRetention()));
        } catch (RuntimeException e) {
            log.warn("Pruning superseded collection versions failed; the next run tries again", e);
        }
    }

    /** Prunes what was superseded or failed before {@code before}; how many versions this call pruned. */
    int pruneBefore(Instant before) {
        Timestamp cutoff = Timestamp.from(before);
        List<Stale> stale = jdbc.sql("""
                select collection, version, state from collection_version
                where pruned_at is null
                  and ((state = 'SUPERSEDED' and superseded_at < ?) or (state = 'FAILED' and finished_at < ?))
                order by collection, version""")
                .params(cutoff, cutoff)
                .query((rs, row) -> new Stale(rs.getString(1), rs.getLong(2), rs.getString(3)))
                .list();
        int pruned = 0;
        for (Stale version : stale) {
            if (store != null) {
                try {
                    store.drop(version.collection(), version.version());
                } catch (RetrievalRejected e) {
                    // served here still (this instance has not switched yet): left for a later run
                    log.info("Not pruning {} v{} yet: {}", version.collection(), version.version(), e.getMessage());
                    continue;
                }
            }
            delete(collections.versionFolder(version.collection(), version.version()));
            int marked = jdbc.sql("""
                    update collection_version set pruned_at = ? where collection = ? and version = ? and pruned_at is null""")
                    .params(Timestamp.from(clock.instant()), version.collection(), version.version())
                    .update();
            if (marked == 1) {
                pruned++;
                audit.append(AuditEvent.builder(
                                "collection.version_pruned",
                                AuditActor.system("warden"),
                                new AuditTarget("collection", version.collection()))
                        .detail("version", version.version())
                        .detail("state", version.state())
                        .build());
            }
        }
        return pruned;
    }

    private static void delete(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete " + folder, e);
        }
    }
}
