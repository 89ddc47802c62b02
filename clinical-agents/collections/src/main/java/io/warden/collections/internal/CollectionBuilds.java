package io.warden.collections.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import io.warden.bpmn.BpmnProcesses;
import io.warden.bpmn.BpmnProcesses.TaskTypes;
import io.warden.clinical.Embedder;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.VectorRecord;
import io.warden.clinical.dicom.DicomHeader;
import io.warden.clinical.ingest.DicomInstanceSource;
import io.warden.clinical.ingest.DicomSeriesSource;
import io.warden.clinical.ingest.ImageLimits;
import io.warden.clinical.ingest.IngestItem;
import io.warden.clinical.ingest.IngestSource;
import io.warden.clinical.ingest.NpyVectorSource;
import io.warden.clinical.ingest.TextNdjsonSource;
import io.warden.clinical.ingest.VectorNdjsonSource;
import io.warden.clinical.ingest.VolumeEncoder;
import io.warden.collections.DicomArchives;
import io.warden.collections.internal.CollectionViews.CollectionView;
import io.warden.collections.internal.CollectionViews.VersionView;
import io.warden.lifecycle.Job;
import io.warden.lifecycle.JobResult;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.registry.DataSourceView;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code collection-build} process's tasks. {@code collection-ingest} reads the version's input from the position
 * after the last committed one, and commits every {@code batch-size} items: first their records to a batch file on
 * shared storage, then, in one transaction, the refusals, the counts and the new committed position; a build that
 * stops between the two writes its batch again. {@code collection-publish} writes the version's index and, in one
 * transaction, marks it READY, the version before it SUPERSEDED and the collection's current version. Thread-safe: the
 * engine runs one build per collection at a time.
 */
final class CollectionBuilds {

    private static final Logger log = LoggerFactory.getLogger(CollectionBuilds.class);
    private static final Duration BACKOFF = Duration.ofSeconds(5);
    private static final int MAX_METADATA = 4096;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final CollectionService collections;
    private final PostgresCollectionCatalog catalog;
    private final @Nullable VectorCollections store;
    private final @Nullable Embedder embedder;
    private final @Nullable DicomArchives archives;
    private final AuditLog audit;
    private final CollectionsProperties properties;
    private final Clock clock;

    CollectionBuilds(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            CollectionService collections,
            PostgresCollectionCatalog catalog,
            @Nullable VectorCollections store,
            @Nullable Embedder embedder,
            @Nullable DicomArchives archives,
            AuditLog audit,
            CollectionsProperties properties,
            Clock clock) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.collections = collections;
        this.catalog = catalog;
        this.store = store;
        this.embedder = embedder;
        this.archives = archives;
        this.audit = audit;
        this.properties = properties;
        this.clock = clock;
    }

    void registerWith(WorkflowEngine engine) {
        engine.register(TaskTypes.COLLECTION_INGEST, job -> step(job, this::ingest));
        engine.register(TaskTypes.COLLECTION_PUBLISH, job -> step(job, this::publish));
        engine.register(TaskTypes.COLLECTION_FAIL, this::fail);
    }

    /** A build that cannot go on; the message is kept with the version. */
    private static final class Stopped extends RuntimeException {
        Stopped(String message) {
            super(message);
        }
    }

    @FunctionalInterface
    private interface Work {
        void run(CollectionView collection, VersionView version) throws IOException;
    }

    private JobResult step(Job job, Work work) {
        String name = job.text("collection", "");
        long number = Long.parseLong(job.text("version", "0"));
        VersionView version;
        CollectionView collection;
        try {
            version = collections.version(name, number, 0);
            collection = collections.get(name);
        } catch (CollectionRefused gone) {
            return new JobResult.BpmnError(
                    BpmnProcesses.Errors.COLLECTION_BUILD_STOPPED, "version " + number + " of " + name + " is gone");
        }
        if (!version.state().equals("BUILDING")) {
            return JobResult.complete(); // done already: an engine delivering the job again
        }
        try {
            if (!collection.status().equals("ACTIVE")) {
                throw new Stopped("collection " + name + " was retired during the build");
            }
            work.run(collection, version);
            return JobResult.complete();
        } catch (Stopped e) {
            String message = Objects.requireNonNullElse(e.getMessage(), "stopped");
            error(name, number, message);
            return new JobResult.BpmnError(BpmnProcesses.Errors.COLLECTION_BUILD_STOPPED, message);
        } catch (IOException | RuntimeException e) {
            String message = job.taskType() + " failed: " + e.getMessage();
            log.warn("Build of {} v{}: {} ({} retries left)", name, number, message, Math.max(0, job.retries() - 1), e);
            error(name, number, message);
            if (job.retries() <= 1) {
                return new JobResult.BpmnError(BpmnProcesses.Errors.COLLECTION_BUILD_STOPPED, message);
            }
            return new JobResult.Failure(message, BACKOFF);
        }
    }

    private void error(String name, long version, String message) {
        jdbc.sql("update collection_version set error = ? where collection = ? and version = ?")
                .params(message.length() > 2000 ? message.substring(0, 2000) : message, name, version)
                .update();
    }

    // ---- ingest ------------------------------------------------------------------------------------------

    private void ingest(CollectionView collection, VersionView version) throws IOException {
        String name = collection.name();
        Path folder = collections.items(name, version.version());
        IngestSource source = source(collection, version);
        ItemFiles.dropAfter(folder, version.committedPosition());
        Set<String> seen = new HashSet<>();
        ItemFiles.read(folder, record -> seen.add(record.id()));
        if (version.total() < 0) {
            jdbc.sql("update collection_version set total = ? where collection = ? and version = ?")
                    .params(source.size(), name, version.version())
                    .update();
        }
        Batch batch = new Batch();
        IOException[] failed = {null};
        source.read(version.committedPosition() + 1, item -> {
            batch.add(checked(item, collection.dimension(), collection.dataScope(), seen));
            if (batch.size() >= properties.batchSize()) {
                try {
                    commit(name, version.version(), folder, batch);
                } catch (IOException e) {
                    failed[0] = e;
                    return false;
                }
            }
            return true;
        });
        if (failed[0] != null) {
            throw failed[0];
        }
        commit(name, version.version(), folder, batch);
    }

    /**
     * The item as the collection takes it, marked with the collection's data scope as its {@code dataset} (the
     * gateway's dataset obligation filters on it); an item claiming another dataset, a duplicate id, a wrong dimension
     * or oversized metadata is refused.
     */
    private static IngestItem checked(IngestItem item, int dimension, String dataScope, Set<String> seen) {
        if (!(item instanceof IngestItem.Accepted accepted)) {
            return item;
        }
        VectorRecord record = accepted.record();
        String reference = "item " + record.id();
        if (record.vector().length != dimension) {
            return new IngestItem.Rejected(
                    item.position(),
                    reference,
                    "wrong-dimension",
                    "has " + record.vector().length + " dimensions; the collection has " + dimension);
        }
        for (var entry : record.metadata().entrySet()) {
            if (entry.getKey().length() > MAX_METADATA || entry.getValue().length() > MAX_METADATA) {
                return new IngestItem.Rejected(
                        item.position(),
                        reference,
                        "metadata-too-long",
                        "a metadata key or value is over 4096 characters");
            }
        }
        String dataset = record.metadata().get("dataset");
        if (dataset != null && !dataset.equals(dataScope)) {
            return new IngestItem.Rejected(
                    item.position(),
                    reference,
                    "other-dataset",
                    "its dataset is " + dataset + "; the collection belongs to " + dataScope);
        }
        if (!seen.add(record.id())) {
            return new IngestItem.Rejected(item.position(), reference, "duplicate-id", "the id appears before");
        }
        if (dataset != null) {
            return item;
        }
        Map<String, String> metadata = new HashMap<>(record.metadata());
        metadata.put("dataset", dataScope);
        return new IngestItem.Accepted(item.position(), new VectorRecord(record.id(), record.vector(), metadata));
    }

    /** The items read since the last commit. */
    private static final class Batch {
        final List<VectorRecord> records = new ArrayList<>();
        final List<IngestItem.Rejected> rejected = new ArrayList<>();
        long first = -1;
        long last = -1;

        void add(IngestItem item) {
            if (first < 0) {
                first = item.position();
            }
            last = item.position();
            switch (item) {
                case IngestItem.Accepted accepted -> records.add(accepted.record());
                case IngestItem.Rejected refusal -> rejected.add(refusal);
            }
        }

        int size() {
            return records.size() + rejected.size();
        }

        void clear() {
            records.clear();
            rejected.clear();
            first = -1;
            last = -1;
        }
    }

    private void commit(String name, long version, Path folder, Batch batch) throws IOException {
        if (batch.size() == 0) {
            return;
        }
        if (!batch.records.isEmpty()) {
            ItemFiles.writeBatch(folder, batch.first, batch.last, batch.records);
        }
        transactions.executeWithoutResult(status -> {
            for (IngestItem.Rejected refusal : batch.rejected) {
                jdbc.sql("""
                        insert into collection_rejection (collection, version, position, reference, code, reason)
                        values (?, ?, ?, ?, ?, ?) on conflict do nothing""")
                        .params(
                                name,
                                version,
                                refusal.position(),
                                cut(refusal.reference(), 300),
                                cut(refusal.code(), 60),
                                cut(refusal.reason(), 1000))
                        .update();
            }
            jdbc.sql("""
                    update collection_version set processed = processed + ?, accepted = accepted + ?, rejected = rejected + ?,
                        committed_position = ?
                    where collection = ? and version = ? and committed_position < ?""")
                    .params(
                            batch.size(),
                            batch.records.size(),
                            batch.rejected.size(),
                            batch.last,
                            name,
                            version,
                            batch.last)
                    .update();
        });
        batch.clear();
    }

    private static String cut(String text, int max) {
        return text.length() > max ? text.substring(0, max) : text;
    }

    private IngestSource source(CollectionView collection, VersionView version) {
        JsonNode source =
                JSON.readTree(jdbc.sql("select source from collection_version where collection = ? and version = ?")
                        .params(collection.name(), version.version())
                        .query(String.class)
                        .single());
        Path uploads = collections.uploads(collection.name());
        return switch (version.sourceKind()) {
            case "text" -> {
                if (embedder == null) {
                    throw new Stopped("text items need the text model, and retrieval does not run in this Warden");
                }
                yield new TextNdjsonSource(
                        uploads.resolve(source.path("upload").asString()), embedder, properties.embedBatchSize());
            }
            case "vectors-ndjson" ->
                new VectorNdjsonSource(uploads.resolve(source.path("upload").asString()), collection.dimension());
            case "vectors-npy" ->
                new NpyVectorSource(
                        uploads.resolve(source.path("upload").asString()),
                        uploads.resolve(source.path("labels").asString()),
                        collection.dimension());
            case "images-zip" -> {
                try {
                    yield ZipImageSource.open(
                            uploads.resolve(source.path("upload").asString()),
                            collection.labelField(),
                            imageModel(collection),
                            properties.images());
                } catch (LabelLines.Unusable e) {
                    throw new Stopped(String.valueOf(e.getMessage()));
                }
            }
            case "dicom-instances", "dicom-series" -> dicom(collection, version.sourceKind(), source);
            case "remove" ->
                new VersionItemsSource(
                        collections.items(collection.name(), source.path("from").asLong()),
                        source.path("remove").asString());
            default -> throw new Stopped("unknown source kind " + version.sourceKind());
        };
    }

    /** The instance's image model, when it is still the collection's (a refusal at the start said so already). */
    private ImageEmbedder imageModel(CollectionView collection) {
        try {
            return collections.imageModel(collection);
        } catch (CollectionRefused e) {
            throw new Stopped(String.valueOf(e.getMessage()));
        }
    }

    /**
     * The DICOM source of a registered data source, checked again against the collection's data scope (a source
     * moved to another scope since the build started stops it) and opened where it was registered.
     */
    private IngestSource dicom(CollectionView collection, String kind, JsonNode source) {
        if (archives == null) {
            throw new Stopped("no module of this Warden opens registered data sources (the cohort module is absent)");
        }
        DataSourceView registered;
        try {
            registered =
                    collections.dataSource(collection, source.path("dataSource").asString());
        } catch (CollectionRefused e) {
            throw new Stopped(String.valueOf(e.getMessage()));
        }
        ImageEmbedder model = imageModel(collection);
        DicomArchives.Archive archive;
        try {
            archive = archives.open(registered);
        } catch (RuntimeException e) {
            throw new Stopped("data source " + registered.key() + " cannot be opened: " + e.getMessage());
        }
        Function<DicomHeader, Map<String, String>> labels = labels(collection, source);
        ImageLimits limits = properties.images().limits();
        if (kind.equals("dicom-series")) {
            return switch (archive) {
                case DicomArchives.Archive.Folder folder ->
                    DicomSeriesSource.folder(
                            folder.folder(),
                            folder.reader(),
                            model,
                            VolumeEncoder.defaultAggregation(),
                            limits,
                            labels);
                case DicomArchives.Archive.DicomWeb web ->
                    DicomSeriesSource.dicomWeb(
                            web.server(), web.reader(), model, VolumeEncoder.defaultAggregation(), limits, labels);
            };
        }
        DicomInstanceSource.Frames frames =
                DicomInstanceSource.Frames.valueOf(source.path("frames").asString("FIRST"));
        return switch (archive) {
            case DicomArchives.Archive.Folder folder ->
                DicomInstanceSource.folder(folder.folder(), folder.reader(), model, frames, limits, labels);
            case DicomArchives.Archive.DicomWeb web ->
                DicomInstanceSource.dicomWeb(web.server(), model, frames, limits, labels);
        };
    }

    /** The labels upload of a DICOM build, by Series then SOP Instance UID (the instance's own win). */
    private Function<DicomHeader, Map<String, String>> labels(CollectionView collection, JsonNode source) {
        if (!source.path("labels").isString()) {
            return header -> Map.of();
        }
        Map<String, Map<String, String>> byUid;
        try {
            byUid = LabelLines.parse(
                    CollectionService.readBounded(
                            collections
                                    .uploads(collection.name())
                                    .resolve(source.path("labels").asString()),
                            properties.images().maxLabelsBytes(),
                            "labels"),
                    "uid",
                    "the labels");
        } catch (LabelLines.Unusable | CollectionRefused e) {
            throw new Stopped(String.valueOf(e.getMessage()));
        }
        return header -> {
            Map<String, String> fields = new HashMap<>();
            if (header.seriesInstanceUid() != null) {
                fields.putAll(byUid.getOrDefault(header.seriesInstanceUid(), Map.of()));
            }
            if (header.sopInstanceUid() != null) {
                fields.putAll(byUid.getOrDefault(header.sopInstanceUid(), Map.of()));
            }
            return fields;
        };
    }

    // ---- publish -----------------------------------------------------------------------------------------

    private void publish(CollectionView collection, VersionView version) throws IOException {
        if (store == null) {
            throw new Stopped("retrieval does not run in this Warden: no index can be written here");
        }
        String name = collection.name();
        List<VectorRecord> records = ItemFiles.readAll(collections.items(name, version.version()));
        if (records.isEmpty()) {
            throw new Stopped("no item of the input was accepted");
        }
        store.build(name, version.version(), collection.indexKind(), collection.dimension(), records);
        Boolean switched = transactions.execute(status -> {
            Timestamp now = Timestamp.from(clock.instant());
            int ready = jdbc.sql("""
                    update collection_version set state = 'READY', item_count = ?, finished_at = ?, error = null
                    where collection = ? and version = ? and state = 'BUILDING'""")
                    .params(records.size(), now, name, version.version())
                    .update();
            int current = jdbc.sql("update collection set current_version = ? where name = ? and status = 'ACTIVE'")
                    .params(version.version(), name)
                    .update();
            if (ready != 1 || current != 1) {
                status.setRollbackOnly();
                return false;
            }
            jdbc.sql("""
                    update collection_version set state = 'SUPERSEDED', superseded_at = ?
                    where collection = ? and version <> ? and state = 'READY'""").params(now, name, version.version()).update();
            return true;
        });
        if (!Boolean.TRUE.equals(switched)) {
            throw new Stopped("collection " + name + " was retired, or the version changed, before the switch");
        }
        catalog.find(name); // this instance serves it at once; the others when they next read the catalog
        VersionView done = collections.version(name, version.version(), 0);
        audit.append(AuditEvent.builder(
                        "collection.version_published",
                        AuditActor.system("warden"),
                        new AuditTarget("collection", name))
                .dataset(collection.dataScope())
                .detail("version", version.version())
                .detail("source", version.sourceKind())
                .detail("items", records.size())
                .detail("rejected", done.rejected())
                .build());
    }

    private JobResult fail(Job job) {
        String name = job.text("collection", "");
        long version = Long.parseLong(job.text("version", "0"));
        int failed = jdbc.sql("""
                update collection_version set state = 'FAILED', finished_at = ?, error = coalesce(error, 'stopped')
                where collection = ? and version = ? and state = 'BUILDING'""")
                .params(Timestamp.from(clock.instant()), name, version)
                .update();
        if (failed == 1) {
            audit.append(AuditEvent.builder(
                            "collection.build_failed", AuditActor.system("warden"), new AuditTarget("collection", name))
                    .detail("version", version)
                    .outcome(Outcome.MINOR_FAILURE)
                    .build());
        }
        return JobResult.complete();
    }
}
