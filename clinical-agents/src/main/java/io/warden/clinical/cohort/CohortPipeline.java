package io.warden.clinical.cohort;

import io.warden.clinical.Embedder;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.VectorIndex;
import io.warden.clinical.VectorRecord;
import io.warden.clinical.dicom.DicomHeader;
import io.warden.clinical.dicom.DicomSource;
import io.warden.clinical.dicom.Series;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The steps of a cohort index build, each a function of the run's folder: it reads what the steps before
 * it wrote and writes its own artifact atomically (a temporary file moved into place), so a step that is
 * retried or delivered twice finds either nothing or a whole file. The order is extract → classify → then
 * describe → embed → index on one branch and project on the other; publishing is the caller's.
 * <p>
 * A run's folder keeps its artifacts: {@code series.json} (the series table), {@code skipped.json},
 * {@code described.json}, {@code embeddings.f32} (one row per description, in table order) and
 * {@code coordinates.f32}. They stay until the run is deleted, and {@link #reindex} builds a collection
 * from them again. Thread-safe: steps of different runs, and the two branches of one run, may run at once.
 */
public final class CohortPipeline {

    /** Reports a step's progress: items done of the total. */
    @FunctionalInterface
    public interface Progress {

        void done(int items, int total);

        Progress NONE = (items, total) -> {};
    }

    /** A file the extract step could not use, and why. */
    public record Problem(String source, String reason) {}

    /** One series of a run as the explorer draws it. */
    public record Point(
            String seriesInstanceUid,
            String studyInstanceUid,
            String modality,
            String anatomy,
            AnatomyTier tier,
            String orientation,
            int images,
            String seriesDescription,
            float x,
            float y) {}

    /**
     * The image tier of anatomy: an image model, each region's label embedding from the same model's text tower,
     * and the least similarity that counts. Used for runs whose source can render a slice (DICOMweb).
     */
    public record ImageTier(ImageEmbedder encoder, Map<Anatomy, float[]> labels, double minScore) {

        public ImageTier {
            labels = Map.copyOf(labels);
        }
    }

    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final int BATCH = 256;

    private final Path root;
    private final AnatomyClassifier anatomy;
    private final SeriesDescriptions descriptions;
    private final Embedder embedder;
    private final VectorCollections collections;
    private final Projection projection;
    private final IndexKind indexKind;
    private final @Nullable ImageTier imageTier;
    private final JsonMapper json = JsonMapper.builder().build();

    public CohortPipeline(
            Path root,
            AnatomyClassifier anatomy,
            SeriesDescriptions descriptions,
            Embedder embedder,
            VectorCollections collections,
            Projection projection,
            IndexKind indexKind) {
        this(root, anatomy, descriptions, embedder, collections, projection, indexKind, null);
    }

    /** @param imageTier the image tier, or null for metadata tiers only */
    public CohortPipeline(
            Path root,
            AnatomyClassifier anatomy,
            SeriesDescriptions descriptions,
            Embedder embedder,
            VectorCollections collections,
            Projection projection,
            IndexKind indexKind,
            @Nullable ImageTier imageTier) {
        this.imageTier = imageTier;
        this.root = root;
        this.anatomy = anatomy;
        this.descriptions = descriptions;
        this.embedder = embedder;
        this.collections = collections;
        this.projection = projection;
        this.indexKind = indexKind;
    }

    /** The model the embed and project steps use. */
    public Embedder embedder() {
        return embedder;
    }

    /** The run's folder. */
    /**
     * A run's artifact is not in this instance's runs folder: the step that writes it has not run yet, or the run
     * ran on another instance whose folder this one does not share.
     */
    public static final class MissingArtifact extends IllegalStateException {

        private final String runId;
        private final String artifact;

        MissingArtifact(String runId, String artifact) {
            super("run " + runId + " has no " + artifact
                    + " here: the step that writes it has not run, or the run's folder is on" + " another instance");
            this.runId = runId;
            this.artifact = artifact;
        }

        public String runId() {
            return runId;
        }

        public String artifact() {
            return artifact;
        }
    }

    public Path folder(String runId) {
        if (!RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("a run id is letters, digits, '.', '_' and '-', got " + runId);
        }
        return root.resolve(runId);
    }

    /** Step 0: groups the instances a source read into the run's series table, and keeps the source's problems. */
    public List<Series> extract(String runId, List<DicomHeader> instances, List<Problem> problems) {
        List<Series> series = Series.group(instances);
        write(runId, "skipped.json", problems);
        write(runId, "series.json", series);
        return series;
    }

    /**
     * Step 0 with the instances' locations: as {@link #extract(String, List, List)}, and keeps each series'
     * middle slice (by position along the slice normal) as the one an image model looks at.
     */
    public List<Series> extractInstances(String runId, List<DicomSource.Instance> instances, List<Problem> problems) {
        Map<String, List<DicomSource.Instance>> bySeries = new LinkedHashMap<>();
        for (var instance : instances) {
            if (instance.header().seriesInstanceUid() != null) {
                bySeries.computeIfAbsent(instance.header().seriesInstanceUid(), uid -> new ArrayList<>())
                        .add(instance);
            }
        }
        Map<String, String> slices = new LinkedHashMap<>();
        bySeries.forEach((uid, members) -> {
            List<DicomSource.Instance> sorted = new ArrayList<>(members);
            sorted.sort(Comparator.comparingDouble((DicomSource.Instance instance) -> along(instance.header()))
                    .thenComparing(DicomSource.Instance::location));
            slices.put(uid, sorted.get(sorted.size() / 2).location());
        });
        write(runId, "slices.json", slices);
        return extract(
                runId, instances.stream().map(DicomSource.Instance::header).toList(), problems);
    }

    /** The position of a slice along its normal, or 0 without geometry. */
    private static double along(DicomHeader header) {
        if (header.orientation().size() != 6 || header.position().size() != 3) {
            return 0;
        }
        List<Double> o = header.orientation();
        double nx = o.get(1) * o.get(5) - o.get(2) * o.get(4);
        double ny = o.get(2) * o.get(3) - o.get(0) * o.get(5);
        double nz = o.get(0) * o.get(4) - o.get(1) * o.get(3);
        return nx * header.position().get(0)
                + ny * header.position().get(1)
                + nz * header.position().get(2);
    }

    /** Step 1: files every series under a body region, recording the tier that decided (metadata tiers only). */
    public List<CohortSeries> classify(String runId, Progress progress) {
        return classify(runId, progress, null);
    }

    /**
     * Step 1 with the image tier when one is configured and {@code render} can give a slice's image (PNG or JPEG)
     * from the location the extract step kept for the series.
     */
    public List<CohortSeries> classify(
            String runId, Progress progress, @Nullable Function<String, Optional<byte[]>> render) {
        List<Series> series = read(runId, "series.json", new TypeReference<List<Series>>() {});
        AnatomyClassifier anatomy = this.anatomy;
        if (imageTier != null
                && render != null
                && Files.isRegularFile(folder(runId).resolve("slices.json"))) {
            Map<String, String> slices = read(runId, "slices.json", new TypeReference<Map<String, String>>() {});
            anatomy = new AnatomyClassifier(
                    new EmbeddingImageAnatomy(
                            imageTier.encoder(),
                            imageTier.labels(),
                            one -> Optional.ofNullable(slices.get(one.seriesInstanceUid()))
                                    .flatMap(render)),
                    imageTier.minScore());
        }
        List<CohortSeries> rows = new ArrayList<>(series.size());
        for (Series one : series) {
            rows.add(new CohortSeries(one, anatomy.classify(one), List.of()));
            if (rows.size() % BATCH == 0) {
                progress.done(rows.size(), series.size());
            }
        }
        progress.done(rows.size(), series.size());
        write(runId, "classified.json", rows);
        return rows;
    }

    /** Step 2a: writes the five descriptions of every series. */
    public List<CohortSeries> describe(String runId, Progress progress) {
        List<CohortSeries> rows = classified(runId);
        List<CohortSeries> described = new ArrayList<>(rows.size());
        for (CohortSeries row : rows) {
            described.add(new CohortSeries(row.series(), row.anatomy(), descriptions.describe(row)));
            if (described.size() % BATCH == 0) {
                progress.done(described.size(), rows.size());
            }
        }
        progress.done(described.size(), rows.size());
        write(runId, "described.json", described);
        return described;
    }

    /** Step 2b: embeds every description, in batches, each distinct text once. */
    public int embed(String runId, Progress progress) {
        List<CohortSeries> rows = described(runId);
        List<String> texts =
                rows.stream().flatMap(row -> row.descriptions().stream()).toList();
        List<float[]> vectors = embedDistinct(texts, progress);
        writeVectors(runId, "embeddings.f32", vectors);
        return vectors.size();
    }

    /**
     * Step 2c: builds the run's embeddings as the next version of {@code collection}; every record carries
     * the series' metadata, the {@code dataset} it belongs to and the {@code run} that built it.
     */
    public VectorIndex index(String runId, String collection, String dataset) {
        List<CohortSeries> rows = described(runId);
        List<float[]> vectors = readVectors(runId, "embeddings.f32");
        int perRow = SeriesDescriptions.COUNT;
        if (vectors.size() != rows.size() * perRow) {
            throw new IllegalStateException("run " + runId + " has " + vectors.size() + " embeddings for " + rows.size()
                    + " series; embed it again");
        }
        List<VectorRecord> records = new ArrayList<>(vectors.size());
        for (int i = 0; i < rows.size(); i++) {
            CohortSeries row = rows.get(i);
            for (int j = 0; j < perRow; j++) {
                Map<String, String> metadata = new HashMap<>(metadata(row));
                metadata.put("description", row.descriptions().get(j));
                metadata.put("dataset", dataset);
                metadata.put("run", runId);
                records.add(new VectorRecord(row.uid() + "#" + j, vectors.get(i * perRow + j), metadata));
            }
        }
        return collections.replace(collection, indexKind, embedder.dimension(), records);
    }

    /** Builds a kept run's collection again from its artifacts (to go back to an earlier run). */
    public VectorIndex reindex(String runId, String collection, String dataset) {
        return index(runId, collection, dataset);
    }

    /**
     * Step 3, beside step 2: two coordinates per series for the explorer, by UMAP over the embedding of each
     * series' first template description (its one-line summary), so it needs nothing from the other branch.
     */
    public int project(String runId, Progress progress) {
        List<CohortSeries> rows = classified(runId);
        List<String> summaries = rows.stream()
                .map(row -> SeriesDescriptions.templates(row).getFirst())
                .toList();
        List<float[]> vectors = embedDistinct(summaries, progress);
        float[][] points = projection.project(vectors);
        writeVectors(runId, "coordinates.f32", List.of(points));
        return points.length;
    }

    /** The series of a run with their coordinates, for the explorer: needs the classify and project steps. */
    public List<Point> points(String runId) {
        List<CohortSeries> rows = classified(runId);
        List<float[]> coordinates = readVectors(runId, "coordinates.f32");
        List<Point> points = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Series s = rows.get(i).series();
            AnatomyCall call = rows.get(i).anatomy();
            float[] xy = i < coordinates.size() ? coordinates.get(i) : new float[2];
            points.add(new Point(
                    s.seriesInstanceUid(),
                    nonNull(s.studyInstanceUid()),
                    nonNull(s.modality()),
                    call.region() == null ? "UNKNOWN" : call.region().name(),
                    call.tier(),
                    s.orientation().name(),
                    s.images(),
                    nonNull(s.seriesDescription()),
                    xy[0],
                    xy[1]));
        }
        return points;
    }

    /**
     * The {@code k} series whose descriptions are nearest to {@code query} (a unit vector of the embedder's
     * dimension), each with its best description, searched exactly in the run's own embeddings: this works for
     * every kept run, published or not.
     */
    public List<CohortRuns.Match> search(String runId, float[] query, int k) {
        Searchable run = searchable(runId);
        List<CohortSeries> rows = run.rows();
        List<float[]> vectors = run.vectors();
        int perRow = SeriesDescriptions.COUNT;
        List<CohortRuns.Match> best = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size() && (i + 1) * perRow <= vectors.size(); i++) {
            int bestJ = 0;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < perRow; j++) {
                float[] vector = vectors.get(i * perRow + j);
                if (vector.length != query.length) {
                    throw new IllegalArgumentException(
                            "the query has " + query.length + " dimensions; run " + runId + " has " + vector.length);
                }
                float score = 0;
                for (int d = 0; d < vector.length; d++) {
                    score += vector[d] * query[d];
                }
                if (score > bestScore) {
                    bestScore = score;
                    bestJ = j;
                }
            }
            best.add(new CohortRuns.Match(
                    rows.get(i).uid(), bestScore, rows.get(i).descriptions().get(bestJ)));
        }
        best.sort(Comparator.comparingDouble((CohortRuns.Match match) -> match.score())
                .reversed());
        return List.copyOf(best.subList(0, Math.min(k, best.size())));
    }

    /** A run's descriptions and their embeddings, as its searches read them. */
    private record Searchable(String runId, long modified, List<CohortSeries> rows, List<float[]> vectors) {}

    /** The last run searched, kept in memory: the explorer asks one run many queries, each would read its files again. */
    private final AtomicReference<@Nullable Searchable> lastSearched = new AtomicReference<>();

    private Searchable searchable(String runId) {
        long modified;
        try {
            modified = Files.getLastModifiedTime(folder(runId).resolve("embeddings.f32"))
                    .toMillis();
        } catch (IOException e) {
            throw new MissingArtifact(runId, "embeddings.f32");
        }
        Searchable kept = lastSearched.get();
        if (kept != null && kept.runId().equals(runId) && kept.modified() == modified) {
            return kept;
        }
        Searchable loaded = new Searchable(runId, modified, described(runId), readVectors(runId, "embeddings.f32"));
        lastSearched.set(loaded);
        return loaded;
    }

    /** The series table after the classify step. */
    public List<CohortSeries> classified(String runId) {
        return read(runId, "classified.json", new TypeReference<List<CohortSeries>>() {});
    }

    /** What the source could not read. */
    public List<Problem> problems(String runId) {
        return read(runId, "skipped.json", new TypeReference<List<Problem>>() {});
    }

    /** Whether the run's artifacts are all there (a run that finished and was not deleted). */
    public boolean complete(String runId) {
        Path folder = folder(runId);
        return Stream.of("series.json", "classified.json", "described.json", "embeddings.f32", "coordinates.f32")
                .allMatch(name -> Files.isRegularFile(folder.resolve(name)));
    }

    /** Deletes a run's artifacts (a newer run replaced it). */
    public void delete(String runId) {
        Path folder = folder(runId);
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete the artifacts of run " + runId, e);
        }
    }

    /** The metadata a series' records carry, the keys the cohort search filters on. */
    public static Map<String, String> metadata(CohortSeries row) {
        Series s = row.series();
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("series", s.seriesInstanceUid());
        metadata.put("study", nonNull(s.studyInstanceUid()));
        metadata.put("modality", nonNull(s.modality()).toUpperCase(Locale.ROOT));
        metadata.put(
                "bodyPart",
                row.anatomy().region() == null
                        ? "UNKNOWN"
                        : row.anatomy().region().name());
        metadata.put("anatomyTier", row.anatomy().tier().name());
        metadata.put("orientation", s.orientation().name());
        metadata.put("tilted", String.valueOf(s.tilted()));
        metadata.put("slices", String.valueOf(s.images()));
        metadata.put("seriesDescription", nonNull(s.seriesDescription()));
        return metadata;
    }

    /** The series table after the describe step, with each series' five descriptions. */
    public List<CohortSeries> described(String runId) {
        return read(runId, "described.json", new TypeReference<List<CohortSeries>>() {});
    }

    private List<float[]> embedDistinct(List<String> texts, Progress progress) {
        Map<String, Integer> positions = new LinkedHashMap<>();
        texts.forEach(text -> positions.putIfAbsent(text, positions.size()));
        List<String> distinct = List.copyOf(positions.keySet());
        List<float[]> embedded = new ArrayList<>(distinct.size());
        for (int from = 0; from < distinct.size(); from += BATCH) {
            embedded.addAll(embedder.embed(distinct.subList(from, Math.min(distinct.size(), from + BATCH))));
            progress.done(embedded.size(), distinct.size());
        }
        progress.done(embedded.size(), distinct.size());
        return texts.stream()
                .map(text -> embedded.get(Objects.requireNonNull(positions.get(text), "every text has a position")))
                .toList();
    }

    private static String nonNull(@Nullable String value) {
        return value == null ? "" : value;
    }

    private void write(String runId, String name, Object value) {
        replace(runId, name, out -> json.writeValue(out, value));
    }

    private <T> T read(String runId, String name, TypeReference<T> type) {
        Path file = folder(runId).resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new MissingArtifact(runId, name);
        }
        try (InputStream in = Files.newInputStream(file)) {
            return json.readValue(in, type);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
    }

    /** Float rows as {@code count, dimension} (big-endian ints) and the values, little-endian float32. */
    private void writeVectors(String runId, String name, List<float[]> vectors) {
        int dimension = vectors.isEmpty() ? 0 : vectors.getFirst().length;
        replace(runId, name, out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(vectors.size());
            data.writeInt(dimension);
            ByteBuffer row = ByteBuffer.allocate(dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] vector : vectors) {
                row.clear();
                row.asFloatBuffer().put(vector);
                data.write(row.array());
            }
            data.flush();
        });
    }

    private List<float[]> readVectors(String runId, String name) {
        Path file = folder(runId).resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new MissingArtifact(runId, name);
        }
        try (DataInputStream data = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int count = data.readInt();
            int dimension = data.readInt();
            byte[] bytes = new byte[dimension * Float.BYTES];
            List<float[]> vectors = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                data.readFully(bytes);
                float[] vector = new float[dimension];
                ByteBuffer.wrap(bytes)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer()
                        .get(vector);
                vectors.add(vector);
            }
            return vectors;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
    }

    @FunctionalInterface
    private interface Writer {

        void write(OutputStream out) throws IOException;
    }

    private void replace(String runId, String name, Writer writer) {
        Path folder = folder(runId);
        try {
            Files.createDirectories(folder);
            Path temporary = Files.createTempFile(folder, name, ".part");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temporary))) {
                writer.write(out);
            }
            Files.move(
                    temporary,
                    folder.resolve(name),
                    StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + name + " of run " + runId, e);
        }
    }
}
