package io.warden.clinical.internal;

import io.warden.clinical.IndexKind;
import io.warden.clinical.Neighbours;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.VectorIndex;
import io.warden.clinical.VectorRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Collections in a folder: {@code <name>/v<version>/} holds one built version (its {@code manifest.json},
 * format 1, and the index files), {@code <name>/CURRENT} names the version in use. A replacement is built
 * in a temporary folder, moved into place, and {@code CURRENT} is switched with an atomic rename; the
 * in-memory switch follows, and the old version is closed once the searches already running on it end.
 * Thread-safe.
 */
public final class FileVectorCollections implements VectorCollections, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FileVectorCollections.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** An open version and the lock that keeps it open while searches use it. */
    private record Handle(VectorIndex index, ReentrantReadWriteLock lock, Path folder) {}

    private final Path root;
    private final int hnswMaxConnections;
    private final int hnswBeamWidth;
    private final int hnswCandidates;
    private final Map<String, Handle> current = new ConcurrentHashMap<>();
    private final Map<String, Object> writers = new ConcurrentHashMap<>();

    public FileVectorCollections(Path root, int hnswMaxConnections, int hnswBeamWidth) {
        this(root, hnswMaxConnections, hnswBeamWidth, 100);
    }

    /**
     * @param hnswMaxConnections graph degree (HNSW "M")
     * @param hnswBeamWidth      candidates while building ("efConstruction")
     * @param hnswCandidates     candidates while searching ("ef"); raises recall at the cost of speed
     */
    public FileVectorCollections(Path root, int hnswMaxConnections, int hnswBeamWidth, int hnswCandidates) {
        this.root = root;
        this.hnswMaxConnections = hnswMaxConnections;
        this.hnswBeamWidth = hnswBeamWidth;
        this.hnswCandidates = hnswCandidates;
        try {
            Files.createDirectories(root);
            try (Stream<Path> names = Files.list(root)) {
                for (Path folder : names.filter(Files::isDirectory).toList()) {
                    Path pointer = folder.resolve("CURRENT");
                    if (Files.exists(pointer)) {
                        Path version = folder.resolve(Files.readString(pointer, StandardCharsets.UTF_8)
                                .strip());
                        current.put(folder.getFileName().toString(), open(version));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not open the collections in " + root, e);
        }
        log.info("Opened {} vector collections from {}", current.size(), root);
    }

    @Override
    public VectorIndex replace(String name, IndexKind kind, int dimension, List<VectorRecord> records) {
        validate(name, dimension, records);
        synchronized (writers.computeIfAbsent(name, n -> new Object())) {
            Handle previous = current.get(name);
            long version = previous == null ? 1 : previous.index().version() + 1;
            Path folder = root.resolve(name);
            Path target = folder.resolve("v" + version);
            Path building = folder.resolve("v" + version + ".building");
            try {
                write(name, version, kind, dimension, records, building, target);
                Handle opened = open(target);
                Path pointer = folder.resolve("CURRENT.tmp");
                Files.writeString(pointer, target.getFileName().toString(), StandardCharsets.UTF_8);
                Files.move(
                        pointer,
                        folder.resolve("CURRENT"),
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                current.put(name, opened);
                if (previous != null) {
                    retire(previous);
                }
                log.info(
                        "Collection {} is now version {} ({} {} vectors of {} dimensions)",
                        name,
                        version,
                        records.size(),
                        kind,
                        dimension);
                return opened.index();
            } catch (IOException e) {
                deleteQuietly(building);
                throw new UncheckedIOException("Could not build version " + version + " of collection " + name, e);
            }
        }
    }

    @Override
    public void build(String name, long version, IndexKind kind, int dimension, List<VectorRecord> records) {
        validate(name, dimension, records);
        if (version < 1) {
            throw new RetrievalRejected("invalid-version", "Collection versions start at 1, got " + version);
        }
        synchronized (writers.computeIfAbsent(name, n -> new Object())) {
            Handle serving = current.get(name);
            if (serving != null && serving.index().version() == version) {
                throw new RetrievalRejected(
                        "version-served", "Version " + version + " of " + name + " is served; it cannot be rewritten");
            }
            Path folder = root.resolve(name);
            Path target = folder.resolve("v" + version);
            Path building = folder.resolve("v" + version + ".building");
            try {
                // a build stopped after writing its files, before its version was recorded, writes them again
                deleteQuietly(building);
                deleteQuietly(target);
                write(name, version, kind, dimension, records, building, target);
                log.info("Wrote version {} of collection {} ({} {} vectors)", version, name, records.size(), kind);
            } catch (IOException e) {
                deleteQuietly(building);
                throw new UncheckedIOException("Could not build version " + version + " of collection " + name, e);
            }
        }
    }

    @Override
    public VectorIndex serve(String name, long version) {
        Handle serving = current.get(name);
        if (serving != null && serving.index().version() == version) {
            return serving.index();
        }
        if (!NAME.matcher(name).matches()) {
            throw new RetrievalRejected(
                    "invalid-name", "Collection names are lower-case letters, digits and dashes: " + name);
        }
        synchronized (writers.computeIfAbsent(name, n -> new Object())) {
            Handle previous = current.get(name);
            if (previous != null && previous.index().version() == version) {
                return previous.index();
            }
            Path folder = root.resolve(name);
            Path target = folder.resolve("v" + version);
            Handle opened;
            try {
                opened = open(target);
                Path pointer = folder.resolve("CURRENT.tmp");
                Files.writeString(pointer, target.getFileName().toString(), StandardCharsets.UTF_8);
                Files.move(
                        pointer,
                        folder.resolve("CURRENT"),
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                throw new RetrievalRejected(
                        "version-unavailable",
                        "Version " + version + " of collection " + name + " cannot be opened from " + target
                                + " (is the collections folder storage every instance shares?): " + e.getMessage());
            }
            current.put(name, opened);
            if (previous != null) {
                close(previous);
            }
            log.info("Collection {} now serves version {}", name, version);
            return opened.index();
        }
    }

    private static void validate(String name, int dimension, List<VectorRecord> records) {
        if (!NAME.matcher(name).matches()) {
            throw new RetrievalRejected(
                    "invalid-name", "Collection names are lower-case letters, digits and dashes: " + name);
        }
        if (dimension < 1 || dimension > 8192) {
            throw new RetrievalRejected(
                    "wrong-dimension", "A collection's dimension must be between 1 and 8192, got " + dimension);
        }
        Set<String> ids = new HashSet<>();
        for (VectorRecord record : records) {
            if (record.vector().length != dimension) {
                throw new RetrievalRejected(
                        "wrong-dimension",
                        "Record " + record.id() + " has " + record.vector().length + " dimensions; collection " + name
                                + " has " + dimension);
            }
            if (!ids.add(record.id())) {
                throw new RetrievalRejected("duplicate-id", "Record id " + record.id() + " appears twice");
            }
        }
    }

    private void write(
            String name,
            long version,
            IndexKind kind,
            int dimension,
            List<VectorRecord> records,
            Path building,
            Path target)
            throws IOException {
        Files.createDirectories(building);
        if (kind == IndexKind.FLAT) {
            new FlatIndex(name, version, dimension, records).write(building);
        } else {
            LuceneHnswIndex.build(building, records, hnswMaxConnections, hnswBeamWidth, kind == IndexKind.HNSW_INT8);
        }
        Files.writeString(
                building.resolve("manifest.json"),
                JSON.writeValueAsString(Map.of(
                        "format",
                        1,
                        "name",
                        name,
                        "version",
                        version,
                        "kind",
                        kind.name(),
                        "dimension",
                        dimension,
                        "count",
                        records.size())));
        Files.move(building, target, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public Optional<VectorIndex> find(String name) {
        return Optional.ofNullable(current.get(name)).map(Handle::index);
    }

    @Override
    public List<VectorIndex> all() {
        return current.values().stream()
                .map(Handle::index)
                .sorted(Comparator.comparing(VectorIndex::name))
                .toList();
    }

    @Override
    public List<SearchHit> search(String name, float[] query, int k, Map<String, String> filter) {
        return neighbours(name, query, k, filter).hits();
    }

    @Override
    public Neighbours neighbours(String name, float[] query, int k, Map<String, String> filter) {
        while (true) {
            Handle handle = current.get(name);
            if (handle == null) {
                throw new RetrievalRejected("unknown-collection", "No collection named " + name);
            }
            var read = handle.lock().readLock();
            if (!read.tryLock()) {
                continue; // being retired: the map already holds its successor
            }
            try {
                if (isClosed(handle)) {
                    continue;
                }
                VectorIndex index = handle.index();
                return new Neighbours(name, index.version(), index.search(query, k, filter));
            } finally {
                read.unlock();
            }
        }
    }

    private final Set<Handle> closed = ConcurrentHashMap.newKeySet();

    private boolean isClosed(Handle handle) {
        return closed.contains(handle);
    }

    @Override
    public void drop(String name, long version) {
        if (!NAME.matcher(name).matches()) {
            throw new RetrievalRejected(
                    "invalid-name", "Collection names are lower-case letters, digits and dashes: " + name);
        }
        synchronized (writers.computeIfAbsent(name, n -> new Object())) {
            Handle serving = current.get(name);
            if (serving != null && serving.index().version() == version) {
                throw new RetrievalRejected(
                        "version-served", "Version " + version + " of " + name + " is the one this instance serves");
            }
            Path folder = root.resolve(name).resolve("v" + version);
            if (!Files.exists(folder)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(folder)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Could not delete version " + version + " of " + name, e);
            }
        }
    }

    /** Waits for the searches on the old version to finish, closes it and deletes its files. */
    private void retire(Handle old) {
        close(old);
        deleteQuietly(old.folder());
    }

    /** Waits for the searches on the old version to finish and closes it; its files stay. */
    private void close(Handle old) {
        old.lock().writeLock().lock();
        try {
            closed.add(old);
            if (old.index() instanceof AutoCloseable closeable) {
                closeable.close();
            }
        } catch (Exception e) {
            log.warn(
                    "Could not close version {} of {}",
                    old.index().version(),
                    old.index().name(),
                    e);
        } finally {
            old.lock().writeLock().unlock();
        }
    }

    private Handle open(Path version) throws IOException {
        JsonNode manifest = JSON.readTree(Files.readString(version.resolve("manifest.json")));
        if (manifest.path("format").asInt() != 1) {
            throw new IOException(
                    "Collection version " + version + " has an unknown format " + manifest.path("format"));
        }
        String name = manifest.path("name").asString();
        long number = manifest.path("version").asLong();
        int dimension = manifest.path("dimension").asInt();
        IndexKind kind = IndexKind.valueOf(manifest.path("kind").asString());
        VectorIndex index = kind == IndexKind.FLAT
                ? FlatIndex.read(name, number, dimension, version)
                : LuceneHnswIndex.open(name, number, dimension, version, hnswCandidates, kind == IndexKind.HNSW_INT8);
        return new Handle(index, new ReentrantReadWriteLock(), version);
    }

    private static void deleteQuietly(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            log.warn("Could not delete {}", folder, e);
        }
    }

    @Override
    public void close() {
        for (Handle handle : new ArrayList<>(current.values())) {
            handle.lock().writeLock().lock();
            try {
                if (handle.index() instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            } catch (Exception e) {
                log.warn("Could not close {}", handle.index().name(), e);
            } finally {
                handle.lock().writeLock().unlock();
            }
        }
        current.clear();
    }
}
