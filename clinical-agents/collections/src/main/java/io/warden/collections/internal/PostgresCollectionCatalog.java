package io.warden.collections.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.clinical.CollectionCatalog;
import io.warden.clinical.CollectionInfo;
import io.warden.clinical.IndexKind;
import io.warden.clinical.Modality;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.VectorIndex;
import io.warden.collections.ExternalCollections;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The catalog in PostgreSQL, as the gateway reads it before every built-in search. Every {@link #find} reads the row
 * as committed now (one indexed read), so a retirement or a switch to a new version holds on every instance from the
 * moment it commits, with no cache to invalidate; and where retrieval runs in this JVM, {@code find} makes the local
 * store serve the version the row names, opening it from shared storage the first time, so the search that follows
 * reads that version. Thread-safe.
 */
final class PostgresCollectionCatalog implements CollectionCatalog, ExternalCollections {

    private static final Logger log = LoggerFactory.getLogger(PostgresCollectionCatalog.class);

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final @Nullable VectorCollections store;
    private final AuditLog audit;
    private final Clock clock;

    /**
     * @param store this JVM's collections, or null where retrieval runs on remote nodes (they open versions themselves)
     */
    PostgresCollectionCatalog(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            @Nullable VectorCollections store,
            AuditLog audit,
            Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    @Override
    public Optional<CollectionInfo> find(String name) {
        Optional<CollectionInfo> found = jdbc.sql("select * from collection where name = ?")
                .param(name)
                .query(PostgresCollectionCatalog::info)
                .optional();
        found.ifPresent(this::serveCurrent);
        return found;
    }

    /** Makes this JVM's store serve the catalog's current version of the collection, when it does not already. */
    void serveCurrent(CollectionInfo info) {
        if (store == null || info.currentVersion() < 1 || !info.active()) {
            return;
        }
        Optional<VectorIndex> serving = store.find(info.name());
        if (serving.isEmpty() || serving.get().version() != info.currentVersion()) {
            store.serve(info.name(), info.currentVersion());
        }
    }

    static CollectionInfo info(ResultSet rs, int row) throws SQLException {
        return new CollectionInfo(
                rs.getString("name"),
                rs.getString("display_name"),
                rs.getString("data_scope"),
                Modality.valueOf(rs.getString("modality")),
                rs.getString("embedding_model"),
                IndexKind.valueOf(rs.getString("index_kind")),
                rs.getBoolean("deidentified"),
                rs.getString("label_field"),
                CollectionInfo.Status.valueOf(rs.getString("status")),
                rs.getLong("current_version"));
    }

    @Override
    public void published(Published version) {
        Boolean first = transactions.execute(status -> {
            Timestamp now = Timestamp.from(clock.instant());
            int created = jdbc.sql("""
                    insert into collection (name, display_name, data_scope, modality, embedding_model, index_kind, dimension,
                        deidentified, managed_by, created_by, created_at)
                    values (?, ?, ?, ?, ?, ?, ?, false, 'COHORT', ?, ?) on conflict (name) do nothing""")
                    .params(
                            version.name(),
                            version.displayName(),
                            version.dataScope(),
                            version.modality().name(),
                            version.embeddingModel(),
                            version.indexKind().name(),
                            version.dimension(),
                            version.actor(),
                            now)
                    .update();
            var row = jdbc.sql("select managed_by, data_scope from collection where name = ? for update")
                    .param(version.name())
                    .query((rs, n) -> new String[] {rs.getString("managed_by"), rs.getString("data_scope")})
                    .single();
            if (!row[0].equals("COHORT") || !row[1].equals(version.dataScope())) {
                throw new IllegalStateException(
                        "Collection " + version.name() + " is " + row[0] + "-managed on data scope " + row[1]
                                + "; a cohort of scope " + version.dataScope() + " cannot publish into it");
            }
            jdbc.sql("""
                    insert into collection_version (collection, version, state, source_kind, source, storage_path, created_by,
                        created_at, finished_at)
                    values (?, ?, 'READY', 'cohort-run', '{}', '', ?, ?, ?) on conflict do nothing""")
                    .params(version.name(), version.version(), version.actor(), now, now)
                    .update();
            jdbc.sql("""
                    update collection_version set state = 'SUPERSEDED' where collection = ? and version <> ? and state = 'READY'""").params(version.name(), version.version()).update();
            jdbc.sql("update collection set current_version = ?, embedding_model = ?, index_kind = ? where name = ?")
                    .params(
                            version.version(),
                            version.embeddingModel(),
                            version.indexKind().name(),
                            version.name())
                    .update();
            return created == 1;
        });
        AuditEvent.Builder event = AuditEvent.builder(
                        Boolean.TRUE.equals(first) ? "collection.created" : "collection.version_published",
                        version.actor().startsWith("system:")
                                ? AuditActor.system(version.actor().substring("system:".length()))
                                : AuditActor.person(version.actor()),
                        new AuditTarget("collection", version.name()))
                .dataset(version.dataScope())
                .detail("version", version.version())
                .detail("managedBy", "COHORT");
        audit.append(event.build());
        log.info("Collection {} (cohort) is at version {}", version.name(), version.version());
    }
}
