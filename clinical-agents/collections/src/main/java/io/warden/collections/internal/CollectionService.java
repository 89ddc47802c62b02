package io.warden.collections.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.bpmn.BpmnProcesses;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.Modality;
import io.warden.clinical.Retrieval;
import io.warden.clinical.ingest.DicomInstanceSource;
import io.warden.collections.internal.CollectionViews.CollectionView;
import io.warden.collections.internal.CollectionViews.Rejection;
import io.warden.collections.internal.CollectionViews.UploadView;
import io.warden.collections.internal.CollectionViews.VersionView;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.registry.Actor;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.DataSourceView;
import io.warden.registry.DataSources;
import io.warden.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.IdGenerator;
import tools.jackson.databind.json.JsonMapper;

/**
 * The collection use cases behind {@code /api/v1/collections}: create, read, upload an input, start a build, remove an
 * item (a build of a new version without it), retire, and set a data scope's evaluation gate. Role rules are checked
 * at the edge; every change is audited with the collection's name. Thread-safe.
 */
final class CollectionService {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    static final Pattern LABEL_FIELD = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,62}");
    static final Set<String> FORMATS =
            Set.of("text", "vectors-ndjson", "vectors-npy", "images-zip", "dicom-instances", "dicom-series");
    /** The formats whose items the instance's image model embeds. */
    static final Set<String> IMAGE_FORMATS = Set.of("images-zip", "dicom-instances", "dicom-series");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What an admin asks for; validated here, so that each refusal names its field. */
    record CreateRequest(
            @Nullable String name,
            @Nullable String displayName,
            @Nullable String dataScope,
            @Nullable String modality,
            @Nullable String embeddingModel,
            @Nullable String indexKind,
            @Nullable Integer dimension,
            @Nullable Boolean deidentified,
            @Nullable String labelField) {}

    /**
     * A build: of uploads ({@code upload}; {@code labels} for {@code vectors-npy}), or of a registered DICOM data source
     * ({@code dataSource}, optional {@code labels} by UID, and for {@code dicom-instances} which {@code frames}).
     */
    record BuildRequest(
            @Nullable String format,
            @Nullable String upload,
            @Nullable String labels,
            @Nullable String dataSource,
            @Nullable String frames) {}

    private final JdbcClient jdbc;
    private final CatalogQueries scopes;
    private final DataSources dataSources;
    private final Retrieval retrieval;
    private final WorkflowEngine engine;
    private final AuditLog audit;
    private final CollectionsProperties properties;
    private final Clock clock;
    private final IdGenerator ids;

    CollectionService(
            JdbcClient jdbc,
            CatalogQueries scopes,
            DataSources dataSources,
            Retrieval retrieval,
            WorkflowEngine engine,
            AuditLog audit,
            CollectionsProperties properties,
            Clock clock,
            IdGenerator ids) {
        this.jdbc = jdbc;
        this.scopes = scopes;
        this.dataSources = dataSources;
        this.retrieval = retrieval;
        this.engine = engine;
        this.audit = audit;
        this.properties = properties;
        this.clock = clock;
        this.ids = ids;
    }

    // ---- create and read -------------------------------------------------------------------------------

    CollectionView create(CreateRequest request, Actor actor) {
        String name = request.name();
        if (name == null || !NAME.matcher(name).matches()) {
            throw CollectionRefused.invalid("name", "A collection name is 1 to 63 lower-case letters, digits and '-'");
        }
        String displayName =
                request.displayName() == null ? name : request.displayName().strip();
        if (displayName.isEmpty() || displayName.length() > 200) {
            throw CollectionRefused.invalid("displayName", "A display name is 1 to 200 characters");
        }
        DataScopeView scope = scope(request.dataScope());
        Modality modality = parse(Modality.class, request.modality(), "modality");
        IndexKind kind = parse(IndexKind.class, request.indexKind(), "indexKind");
        if (request.deidentified() == null) {
            throw CollectionRefused.invalid("deidentified", "Say whether the collection's items are de-identified");
        }
        if (scope.deidentified() && !request.deidentified()) {
            throw CollectionRefused.invalid(
                    "deidentified",
                    "Data scope " + scope.key() + " is de-identified; a collection of it holds de-identified items");
        }
        String labelField = request.labelField() == null ? "label" : request.labelField();
        if (!LABEL_FIELD.matcher(labelField).matches()) {
            throw CollectionRefused.invalid(
                    "labelField", "A label field is a metadata key: a letter, then up to 62 letters, digits, _ . -");
        }
        String model = request.embeddingModel();
        if (model == null || model.isBlank() || model.length() > 200) {
            throw CollectionRefused.invalid("embeddingModel", "Name the embedding model (1 to 200 characters)");
        }
        int dimension = dimension(modality, model, request.dimension());
        Timestamp now = Timestamp.from(clock.instant());
        try {
            jdbc.sql("""
                    insert into collection (name, display_name, data_scope, modality, embedding_model, index_kind, dimension,
                        deidentified, label_field, created_by, created_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                    .params(
                            name,
                            displayName,
                            scope.key(),
                            modality.name(),
                            model,
                            kind.name(),
                            dimension,
                            request.deidentified(),
                            labelField,
                            actor.id(),
                            now)
                    .update();
        } catch (DuplicateKeyException e) {
            throw new RegistryException.AlreadyExists("name", "A collection named " + name + " exists already");
        }
        audit.append(AuditEvent.builder("collection.created", person(actor), new AuditTarget("collection", name))
                .dataset(scope.key())
                .detail("modality", modality.name())
                .detail("embeddingModel", model)
                .detail("indexKind", kind.name())
                .detail("deidentified", request.deidentified())
                .build());
        return get(name);
    }

    /** The dimension of the collection's vectors: the text model's for its text collections, else as given. */
    private int dimension(Modality modality, String model, @Nullable Integer given) {
        if (modality == Modality.TEXT) {
            Retrieval.Status status = retrieval.status();
            if (!model.equals(status.textModel())) {
                throw CollectionRefused.invalid(
                        "embeddingModel",
                        "Text collections are embedded with this Warden's text model '" + status.textModel()
                                + "', not '" + model + "'");
            }
            if (given != null && given != status.dimension()) {
                throw CollectionRefused.invalid(
                        "dimension", "Model " + model + " has " + status.dimension() + " dimensions, not " + given);
            }
            return status.dimension();
        }
        if (given == null || given < 1 || given > 8192) {
            throw CollectionRefused.invalid(
                    "dimension",
                    "An image or volume collection needs the dimension of its model's vectors (1 to 8192)");
        }
        return given;
    }

    private DataScopeView scope(@Nullable String key) {
        if (key == null || key.isBlank()) {
            throw CollectionRefused.invalid("dataScope", "Name the registry data scope the collection belongs to");
        }
        try {
            return scopes.dataScope(key);
        } catch (RegistryException.NotFound e) {
            throw CollectionRefused.invalid("dataScope", "No data scope '" + key + "' is registered");
        }
    }

    private static <E extends Enum<E>> E parse(Class<E> type, @Nullable String value, String field) {
        try {
            return Enum.valueOf(type, String.valueOf(value).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw CollectionRefused.invalid(
                    field, field + " is one of " + List.of(type.getEnumConstants()) + ", not " + value);
        }
    }

    List<CollectionView> list() {
        return jdbc.sql("select * from collection order by name")
                .query(CollectionViews::collection)
                .list();
    }

    CollectionView get(String name) {
        return jdbc.sql("select * from collection where name = ?")
                .param(name)
                .query(CollectionViews::collection)
                .optional()
                .orElseThrow(() -> CollectionRefused.notFound("collection", name));
    }

    List<VersionView> versions(String name) {
        get(name);
        return jdbc.sql("select * from collection_version where collection = ? order by version desc")
                .param(name)
                .query(CollectionViews::version)
                .list();
    }

    /** One version with the items its build refused (the first {@code limit}). */
    VersionView version(String name, long version, int limit) {
        VersionView found = jdbc.sql("select * from collection_version where collection = ? and version = ?")
                .params(name, version)
                .query(CollectionViews::version)
                .optional()
                .orElseThrow(() -> CollectionRefused.notFound("collection-version", name + " v" + version));
        List<Rejection> rejections = jdbc.sql("""
                select * from collection_rejection where collection = ? and version = ? order by position limit ?""")
                .params(name, version, limit)
                .query((rs, n) -> new Rejection(
                        rs.getLong("position"),
                        rs.getString("reference"),
                        rs.getString("code"),
                        rs.getString("reason")))
                .list();
        return CollectionViews.withRejections(found, rejections);
    }

    // ---- uploads and builds ----------------------------------------------------------------------------

    /**
     * Keeps the body as an input of the collection's next build, on shared storage: refused whole (nothing kept) when
     * larger than {@code warden.collections.max-upload-bytes}.
     */
    UploadView upload(String name, InputStream body, Actor actor) {
        CollectionView collection = buildable(name);
        String id = ids.generateId().toString();
        Path folder = uploads(name);
        Path target = folder.resolve(id);
        Path partial = folder.resolve(id + ".part");
        long bytes = 0;
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        try {
            Files.createDirectories(folder);
            try (OutputStream out = Files.newOutputStream(partial)) {
                byte[] buffer = new byte[1 << 16];
                for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
                    bytes += read;
                    if (bytes > properties.maxUploadBytes()) {
                        throw CollectionRefused.tooLarge("An upload is at most " + properties.maxUploadBytes()
                                + " bytes (warden.collections.max-upload-bytes)");
                    }
                    sha.update(buffer, 0, read);
                    out.write(buffer, 0, read);
                }
            }
            if (bytes == 0) {
                throw CollectionRefused.invalid("body", "The upload is empty");
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not keep the upload in " + folder, e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                // the name is unique: a leftover part file is never read
            }
        }
        String digest = HexFormat.of().formatHex(sha.digest());
        jdbc.sql("""
                insert into collection_upload (id, collection, bytes, sha256, created_by, created_at) values (?, ?, ?, ?, ?, ?)""")
                .params(id, name, bytes, digest, actor.id(), Timestamp.from(clock.instant()))
                .update();
        audit.append(AuditEvent.builder("collection.uploaded", person(actor), new AuditTarget("collection", name))
                .dataset(collection.dataScope())
                .detail("upload", id)
                .detail("bytes", bytes)
                .detail("sha256", digest)
                .build());
        return new UploadView(id, name, bytes, digest);
    }

    /**
     * Deletes an upload's file and row, refused while a build reads it; a build started later that names it is refused
     * as naming no upload. Recorded with the reason and the upload's digest.
     */
    void deleteUpload(String name, String id, @Nullable String reason, Actor actor) {
        CollectionView collection = get(name);
        if (reason == null || reason.isBlank() || reason.length() > 1000) {
            throw CollectionRefused.invalid("reason", "Say why the upload is deleted (1 to 1000 characters)");
        }
        UploadView upload = upload(name, id, "id");
        boolean read = jdbc.sql("""
                select count(*) from collection_version
                where collection = ? and state = 'BUILDING' and (source like ? or source like ?)""")
                        .params(name, "%\"upload\":\"" + id + "\"%", "%\"labels\":\"" + id + "\"%")
                        .query(Long.class)
                        .single()
                > 0;
        if (read) {
            throw CollectionRefused.conflict(
                    "upload-in-use", "A build of " + name + " reads upload " + id + "; delete it once the build ends");
        }
        try {
            Files.deleteIfExists(uploads(name).resolve(upload.id()));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete upload " + id + " of " + name, e);
        }
        jdbc.sql("delete from collection_upload where id = ? and collection = ?")
                .params(id, name)
                .update();
        audit.append(AuditEvent.builder("collection.upload_deleted", person(actor), new AuditTarget("collection", name))
                .dataset(collection.dataScope())
                .detail("upload", id)
                .detail("sha256", upload.sha256())
                .detail("reason", reason.length() > 256 ? reason.substring(0, 256) : reason)
                .build());
    }

    Path uploads(String name) {
        return properties.storageDir().resolve(name).resolve("uploads");
    }

    VersionView startBuild(String name, BuildRequest request, Actor actor) {
        CollectionView collection = buildable(name);
        String format = request.format() == null ? "" : request.format();
        if (!FORMATS.contains(format)) {
            throw CollectionRefused.invalid(
                    "format", "format is one of " + FORMATS.stream().sorted().toList());
        }
        if (format.equals("text") && collection.modality() != Modality.TEXT) {
            throw CollectionRefused.invalid(
                    "format", "Text items fill TEXT collections; " + name + " is " + collection.modality());
        }
        Modality needs = format.equals("dicom-series") ? Modality.VOLUME : Modality.IMAGE;
        if (IMAGE_FORMATS.contains(format) && collection.modality() != needs) {
            throw CollectionRefused.invalid(
                    "format", format + " fills " + needs + " collections; " + name + " is " + collection.modality());
        }
        if (IMAGE_FORMATS.contains(format)) {
            imageModel(collection);
        }
        if (!format.equals("dicom-instances") && request.frames() != null) {
            throw CollectionRefused.invalid("frames", "Only a dicom-instances build chooses its frames");
        }
        Map<String, Object> source = new HashMap<>();
        if (format.startsWith("dicom-")) {
            if (request.upload() != null) {
                throw CollectionRefused.invalid("upload", format + " reads a data source, not an upload");
            }
            source.put(
                    "dataSource", dataSource(collection, request.dataSource()).key());
            if (format.equals("dicom-instances")) {
                source.put("frames", frames(request.frames()).name());
            }
            if (request.labels() != null) {
                String labels = requireUpload(name, request.labels(), "labels");
                try {
                    LabelLines.parse(
                            readBounded(
                                    uploads(name).resolve(labels),
                                    properties.images().maxLabelsBytes(),
                                    "labels"),
                            "uid",
                            "the labels");
                } catch (LabelLines.Unusable e) {
                    throw CollectionRefused.invalid("labels", String.valueOf(e.getMessage()));
                }
                source.put("labels", labels);
            }
            return start(collection, format, source, null, actor, "collection.build_started");
        }
        if (request.dataSource() != null) {
            throw CollectionRefused.invalid(
                    "dataSource", format + " reads uploads; only DICOM builds read a data source");
        }
        String upload = requireUpload(name, request.upload(), "upload");
        source.put("upload", upload);
        if (format.equals("vectors-npy")) {
            source.put("labels", requireUpload(name, request.labels(), "labels"));
        } else if (request.labels() != null) {
            throw CollectionRefused.invalid(
                    "labels",
                    format.equals("images-zip")
                            ? "An images-zip build's labels are the labels.ndjson inside its ZIP"
                            : "Only vectors-npy and DICOM builds have a labels file");
        }
        if (format.equals("images-zip")) {
            try {
                ZipImageSource.open(
                        uploads(name).resolve(upload),
                        collection.labelField(),
                        imageModel(collection),
                        properties.images());
            } catch (LabelLines.Unusable e) {
                throw CollectionRefused.invalid("upload", String.valueOf(e.getMessage()));
            }
        }
        return start(collection, format, source, null, actor, "collection.build_started");
    }

    /**
     * The image model that embeds the collection's images: this instance's, and only when it is the collection's
     * model with the collection's dimension; a build would otherwise mix vectors of two models.
     */
    ImageEmbedder imageModel(CollectionView collection) {
        ImageEmbedder model = retrieval
                .localImageEmbedder()
                .orElseThrow(() -> CollectionRefused.invalid(
                        "embeddingModel",
                        "No image model runs on this instance (warden.retrieval.image): collection " + collection.name()
                                + " needs " + collection.embeddingModel()));
        if (!model.modelName().equals(collection.embeddingModel()) || model.dimension() != collection.dimension()) {
            throw CollectionRefused.invalid(
                    "embeddingModel",
                    "Collection " + collection.name() + " is embedded with " + collection.embeddingModel() + " ("
                            + collection.dimension() + " dimensions); this instance's image model is "
                            + model.modelName() + " (" + model.dimension() + ")");
        }
        return model;
    }

    /**
     * A registered FOLDER or DICOMWEB data source of the collection's data scope; one refusal for a source that is
     * missing and one of another scope, so that neither is told apart. A de-identified collection reads no source of a
     * PHI scope: a PHI scope may hold a collection marked de-identified, and filling it from the scope's own PACS would
     * make that mark a claim nothing checked.
     */
    DataSourceView dataSource(CollectionView collection, @Nullable String key) {
        if (key == null || key.isBlank()) {
            throw CollectionRefused.invalid("dataSource", "Name the registered data source the build reads");
        }
        Optional<DataSourceView> source = dataSources.find(key);
        if (source.isEmpty() || !source.get().scopeKey().equals(collection.dataScope())) {
            throw CollectionRefused.invalid(
                    "dataSource", "No data source '" + key + "' is registered in data scope " + collection.dataScope());
        }
        if (collection.deidentified() && source.get().phi()) {
            throw CollectionRefused.invalid(
                    "dataSource",
                    "Data source '" + key + "' holds protected health information (data scope "
                            + collection.dataScope() + " is PHI); collection " + collection.name()
                            + " is de-identified and reads only de-identified sources");
        }
        return source.get();
    }

    private static DicomInstanceSource.Frames frames(@Nullable String frames) {
        return frames == null
                ? DicomInstanceSource.Frames.FIRST
                : parse(DicomInstanceSource.Frames.class, frames, "frames");
    }

    /** At most {@code max} bytes of a file kept on storage. */
    static byte[] readBounded(Path file, long max, String field) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) max + 1);
            if (bytes.length > max) {
                throw CollectionRefused.invalid(field, "The " + field + " file is over " + max + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
    }

    private String requireUpload(String name, @Nullable String id, String field) {
        if (id == null
                || jdbc.sql("select count(*) from collection_upload where id = ? and collection = ?")
                                .params(id, name)
                                .query(Long.class)
                                .single()
                        == 0) {
            throw CollectionRefused.invalid(field, "No upload '" + id + "' of collection " + name);
        }
        return id;
    }

    /** An upload of the collection with its size and digest, as its row records them; refused naming {@code field}. */
    UploadView upload(String name, @Nullable String id, String field) {
        if (id == null || id.isBlank()) {
            throw CollectionRefused.invalid(field, "Name an upload of collection " + name);
        }
        return jdbc.sql("select id, collection, bytes, sha256 from collection_upload where id = ? and collection = ?")
                .params(id, name)
                .query((rs, n) -> new UploadView(
                        rs.getString("id"), rs.getString("collection"), rs.getLong("bytes"), rs.getString("sha256")))
                .optional()
                .orElseThrow(() -> CollectionRefused.invalid(field, "No upload '" + id + "' of collection " + name));
    }

    /** Removes an item by building a new version without it; the reason is kept with the version and audited. */
    VersionView removeItem(String name, String itemId, @Nullable String reason, Actor actor) {
        CollectionView collection = buildable(name);
        if (reason == null || reason.isBlank() || reason.length() > 1000) {
            throw CollectionRefused.invalid("reason", "Say why the item is removed (1 to 1000 characters)");
        }
        if (collection.currentVersion() < 1) {
            throw CollectionRefused.conflict("collection-empty", "Collection " + name + " has no version yet");
        }
        boolean[] found = {false};
        try {
            ItemFiles.read(
                    items(name, collection.currentVersion()),
                    record -> found[0] |= record.id().equals(itemId));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the items of " + name, e);
        }
        if (!found[0]) {
            throw CollectionRefused.notFound("collection-item", name + "/" + itemId);
        }
        Map<String, Object> source = Map.of("from", collection.currentVersion(), "remove", itemId);
        return start(collection, "remove", source, reason, actor, "collection.item_removal_started");
    }

    private VersionView start(
            CollectionView collection,
            String kind,
            Map<String, Object> source,
            @Nullable String reason,
            Actor actor,
            String action) {
        String name = collection.name();
        // the lock is the collection's BUILDING version, not the engine's instance: a build's instance outlives the
        // moment its version turns READY or FAILED, and the next build may start from that moment
        List<Long> building = jdbc.sql(
                        "select version from collection_version where collection = ? and state = 'BUILDING'")
                .param(name)
                .query((rs, row) -> rs.getLong(1))
                .list();
        for (long open : building) {
            if (engine.running(BpmnProcesses.COLLECTION_BUILD, business(name, open))) {
                throw CollectionRefused.conflict(
                        "collection-build-running",
                        "Collection " + name + " is being built (version " + open + "); wait for that build to end");
            }
            // a build whose process is gone without recording its end (an engine's history lost) must not block
            jdbc.sql("""
                    update collection_version set state = 'FAILED', error = 'its build process is gone', finished_at = ?
                    where collection = ? and version = ? and state = 'BUILDING'""").params(Timestamp.from(clock.instant()), name, open).update();
        }
        long version = jdbc.sql("select coalesce(max(version), 0) + 1 from collection_version where collection = ?")
                .param(name)
                .query(Long.class)
                .single();
        try {
            jdbc.sql("""
                    insert into collection_version (collection, version, state, source_kind, source, storage_path, reason,
                        created_by, created_at)
                    values (?, ?, 'BUILDING', ?, ?, ?, ?, ?, ?)""")
                    .params(
                            name,
                            version,
                            kind,
                            JSON.writeValueAsString(source),
                            name + "/v" + version,
                            Objects.requireNonNullElse(reason, ""),
                            actor.id(),
                            Timestamp.from(clock.instant()))
                    .update();
        } catch (DuplicateKeyException e) {
            throw CollectionRefused.conflict(
                    "collection-build-running", "Another build of " + name + " started at the same time");
        }
        if (!engine.start(
                BpmnProcesses.COLLECTION_BUILD,
                business(name, version),
                Map.of("collection", name, "version", version))) {
            jdbc.sql("delete from collection_version where collection = ? and version = ?")
                    .params(name, version)
                    .update();
            throw CollectionRefused.conflict(
                    "collection-build-running", "Collection " + name + " is being built; wait for that build to end");
        }
        AuditEvent.Builder event = AuditEvent.builder(action, person(actor), new AuditTarget("collection", name))
                .dataset(collection.dataScope())
                .detail("version", version)
                .detail("source", kind);
        if (source.get("remove") instanceof String item) {
            event.detail("item", item);
        }
        if (source.get("dataSource") instanceof String dataSource) {
            event.detail("dataSource", dataSource);
        }
        if (reason != null) {
            event.detail("reason", reason.length() > 256 ? reason.substring(0, 256) : reason);
        }
        audit.append(event.build());
        return version(name, version, 0);
    }

    /** The committed items of a version, on shared storage. */
    Path items(String name, long version) {
        return versionFolder(name, version).resolve("items");
    }

    /** Everything a version's build kept on shared storage. */
    Path versionFolder(String name, long version) {
        return properties.storageDir().resolve(name).resolve("v" + version);
    }

    /** The business key of the build of one version: each version's build is its own process instance. */
    static String business(String name, long version) {
        return "collection:" + name + ":v" + version;
    }

    /** The collection, when builds may fill it: ACTIVE and managed by this API (cohort runs fill their own). */
    private CollectionView buildable(String name) {
        CollectionView collection = get(name);
        if (!collection.status().equals("ACTIVE")) {
            throw CollectionRefused.conflict("collection-retired", "Collection " + name + " is retired");
        }
        if (!collection.managedBy().equals("API")) {
            throw CollectionRefused.conflict(
                    "collection-managed-elsewhere",
                    "Collection " + name + " is a cohort's: its cohort runs publish its versions");
        }
        return collection;
    }

    // ---- retirement and the evaluation gate ------------------------------------------------------------

    CollectionView retire(String name, @Nullable String reason, Actor actor) {
        CollectionView collection = get(name);
        if (reason == null || reason.isBlank() || reason.length() > 1000) {
            throw CollectionRefused.invalid("reason", "Say why the collection is retired (1 to 1000 characters)");
        }
        int retired = jdbc.sql("""
                update collection set status = 'RETIRED', retired_by = ?, retired_at = ?, retire_reason = ?
                where name = ? and status = 'ACTIVE'""")
                .params(actor.id(), Timestamp.from(clock.instant()), reason, name)
                .update();
        if (retired == 0) {
            throw CollectionRefused.conflict("collection-retired", "Collection " + name + " is retired already");
        }
        audit.append(AuditEvent.builder("collection.retired", person(actor), new AuditTarget("collection", name))
                .dataset(collection.dataScope())
                .detail("reason", reason.length() > 256 ? reason.substring(0, 256) : reason)
                .build());
        return get(name);
    }

    /** Sets (or, with null, clears) the minimum Top-1 accuracy a RAG_CLASSIFIER on the scope needs to be approved. */
    Map<String, Object> gate(String scopeKey, @Nullable Double minTop1, Actor actor) {
        DataScopeView scope = scope(scopeKey);
        if (minTop1 != null && (minTop1.isNaN() || minTop1 < 0 || minTop1 > 1)) {
            throw CollectionRefused.invalid("minTop1", "minTop1 is a share between 0 and 1");
        }
        if (minTop1 == null) {
            jdbc.sql("delete from collection_scope_gate where data_scope = ?")
                    .param(scope.key())
                    .update();
        } else {
            jdbc.sql("""
                    insert into collection_scope_gate (data_scope, min_top1, set_by, set_at) values (?, ?, ?, ?)
                    on conflict (data_scope) do update set min_top1 = excluded.min_top1, set_by = excluded.set_by,
                        set_at = excluded.set_at""")
                    .params(scope.key(), minTop1, actor.id(), Timestamp.from(clock.instant()))
                    .update();
        }
        audit.append(
                AuditEvent.builder("collection.gate_set", person(actor), new AuditTarget("data-scope", scope.key()))
                        .dataset(scope.key())
                        .detail("minTop1", minTop1 == null ? "none" : minTop1.toString())
                        .build());
        Map<String, Object> answer = new HashMap<>();
        answer.put("dataScope", scope.key());
        answer.put("minTop1", minTop1);
        return answer;
    }

    Optional<Double> gate(String scopeKey) {
        return jdbc.sql("select min_top1 from collection_scope_gate where data_scope = ?")
                .param(scopeKey)
                .query(Double.class)
                .optional();
    }

    static AuditActor person(Actor actor) {
        return AuditActor.person(actor.id());
    }
}
