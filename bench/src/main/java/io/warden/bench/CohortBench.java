package io.warden.bench;

import io.warden.WardenApplication;
import io.warden.clinical.cohort.CohortPipeline;
import io.warden.clinical.cohort.CohortRuns;
import io.warden.clinical.cohort.CohortSeries;
import io.warden.clinical.cohort.Projection;
import io.warden.clinical.dicom.DicomFormatException;
import io.warden.clinical.dicom.DicomReader;
import io.warden.registry.AgentQueries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * The imaging cohort builder.
 * <ul>
 *   <li>{@code header}: Warden's DICOM header reader on one thread over {@code --files} files of the archive,
 *       read once to warm the page cache and the JIT, then {@code --passes} timed passes; the median pass in
 *       files per second. Debian's pydicom reads the same files ({@code dcmread(stop_before_pixels=True)}) in the
 *       same run for comparison. Prints {@code header_files_per_s} and {@code pydicom_files_per_s}.</li>
 *   <li>{@code pipeline}: a real Warden in-process (embedded PostgreSQL, embedded engine, demo data); the demo
 *       COHORT_BUILDER agent's run over the whole archive is started through {@link CohortRuns} and timed until
 *       it is PUBLISHED: the cohort-index-build process with its folder source, metadata anatomy tiers,
 *       descriptions, MiniLM embeddings on the CPU, the HNSW index and the UMAP projection. Prints
 *       {@code pipeline_4500_series_s} and each step's seconds from the run's own step records.</li>
 * </ul>
 * With {@code --cold true} the pipeline runs a second time after the page cache is dropped (as root), so the
 * archive comes from disk: {@code cold_pipeline_4500_series_s}.
 * Arguments: {@code --archive /tmp/cohort-archive --files 10000 --passes 5 --model minilm --cold true}; with
 * {@code --only header} just the header figures (to compare two builds of the reader on one machine).
 */
public final class CohortBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path archive =
                Path.of(options.getOrDefault("archive", "/tmp/cohort-archive")).toAbsolutePath();
        int count = Integer.parseInt(options.getOrDefault("files", "10000"));
        int passes = Integer.parseInt(options.getOrDefault("passes", "5"));
        String model = options.getOrDefault("model", "minilm");
        boolean cold = Boolean.parseBoolean(options.getOrDefault("cold", "false"));
        boolean headerOnly = "header".equals(options.get("only"));
        Map<String, Object> results = new LinkedHashMap<>();
        header(archive, count, passes, results);
        if (!headerOnly) {
            pipeline(archive, model, false, results);
        }
        if (cold && !headerOnly) {
            pipeline(archive, model, true, results);
        }
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
    }

    static void header(Path archive, int count, int passes, Map<String, Object> results) throws Exception {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(archive)) {
            files = walk.filter(Files::isRegularFile).sorted().limit(count).toList();
        }
        DicomReader reader = new DicomReader("bench".getBytes(StandardCharsets.UTF_8));
        int read = readAll(reader, files); // warm-up: page cache and JIT
        List<Double> rates = new ArrayList<>();
        for (int pass = 0; pass < passes; pass++) {
            long started = System.nanoTime();
            readAll(reader, files);
            rates.add(files.size() / ((System.nanoTime() - started) / 1e9));
        }
        Collections.sort(rates);
        results.put("header_files", files.size());
        results.put("header_files_read", read);
        results.put(
                "header_passes_files_per_s",
                rates.stream().map(rate -> Math.round(rate)).toList());
        results.put("header_files_per_s", Math.round(rates.get(rates.size() / 2)));

        Path list = Files.createTempFile("cohort-bench-files", ".txt");
        Files.write(list, files.stream().map(Path::toString).toList());
        String script = """
                import sys, time, pydicom
                files = open(sys.argv[1]).read().split()
                def once():
                    for f in files:
                        pydicom.dcmread(f, stop_before_pixels=True)
                once()
                rates = []
                for _ in range(3):
                    t = time.perf_counter(); once(); rates.append(len(files) / (time.perf_counter() - t))
                print(sorted(rates)[1])
                """;
        Process python = new ProcessBuilder("/usr/bin/python3", "-c", script, list.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (python.waitFor() == 0) {
            double pydicom = Double.parseDouble(out.lines().reduce((a, b) -> b).orElseThrow());
            results.put("pydicom_files_per_s", Math.round(pydicom));
            results.put("header_speedup_over_pydicom", Math.round(rates.get(rates.size() / 2) / pydicom * 10) / 10.0);
        } else {
            results.put("pydicom_error", out);
        }
        Files.deleteIfExists(list);
    }

    /**
     * What the two steps that depend on how varied the archive is would cost if nothing repeated: all 22,500
     * descriptions embedded with no text embedded once for several series, and UMAP over 4,500 distinct
     * points (random unit vectors of the model's dimension, seeded).
     */
    static void worstCase(CohortPipeline pipeline, List<CohortSeries> described, Map<String, Object> results) {
        List<String> texts =
                described.stream().flatMap(row -> row.descriptions().stream()).toList();
        long started = System.nanoTime();
        for (int from = 0; from < texts.size(); from += 256) {
            pipeline.embedder().embed(texts.subList(from, Math.min(texts.size(), from + 256)));
        }
        double embedSeconds = (System.nanoTime() - started) / 1e9;
        results.put("embed_all_descriptions_s", Math.round(embedSeconds * 10) / 10.0);
        results.put("embed_descriptions_per_s", Math.round(texts.size() / embedSeconds));
        Random random = new Random(42);
        List<float[]> points = new ArrayList<>();
        for (int i = 0; i < described.size(); i++) {
            float[] v = new float[pipeline.embedder().dimension()];
            double norm = 0;
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) random.nextGaussian();
                norm += v[d] * v[d];
            }
            for (int d = 0; d < v.length; d++) {
                v[d] /= (float) Math.sqrt(norm);
            }
            points.add(v);
        }
        started = System.nanoTime();
        Projection.defaults().project(points);
        results.put("umap_4500_distinct_points_s", Math.round((System.nanoTime() - started) / 1e8) / 10.0);
    }

    private static int readAll(DicomReader reader, List<Path> files) {
        int read = 0;
        for (Path file : files) {
            try {
                reader.read(file);
                read++;
            } catch (DicomFormatException e) {
                // counted as unread: the archive is all DICOM, so this stays 0
            }
        }
        return read;
    }

    static void pipeline(Path archive, String model, boolean cold, Map<String, Object> results) throws Exception {
        String prefix = cold ? "cold_" : "";
        Path data = Files.createTempDirectory("warden-cohort-bench");
        try (ConfigurableApplicationContext warden = new SpringApplicationBuilder(WardenApplication.class)
                .run(
                        "--server.port=0",
                        "--warden.data-dir=" + data,
                        "--logging.level.root=WARN",
                        "--warden.lifecycle.sweep-interval=PT24H",
                        "--warden.retrieval.text-model=" + model,
                        "--warden.cohort.archive-roots=" + archive.getParent(),
                        "--warden.cohort.sources.bench-archive.location=" + archive,
                        "--warden.cohort.sources.bench-archive.scope=imaging-ct-deid")) {
            CohortRuns runs = warden.getBean(CohortRuns.class);
            String builder = warden.getBean(AgentQueries.class)
                    .findAgentByClientId("demo-cohort-builder")
                    .orElseThrow()
                    .id()
                    .toString();
            if (cold) { // the archive read from disk, not the page cache (needs root)
                new ProcessBuilder("sh", "-c", "sync && echo 3 > /proc/sys/vm/drop_caches")
                        .inheritIO()
                        .start()
                        .waitFor();
            }
            long started = System.nanoTime();
            CohortRuns.Run run = runs.start(
                    new CohortRuns.StartRequest(builder, "bench", "bench-archive"),
                    new CohortRuns.Requester("bench", true));
            while (runs.find(run.id()).orElseThrow().status().equals("RUNNING")) {
                Thread.sleep(100);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            CohortRuns.Run done = runs.find(run.id()).orElseThrow();
            var pipeline = warden.getBean(CohortPipeline.class);
            var described = pipeline.described(run.id());
            results.put(prefix + "pipeline_status", done.status());
            results.put(prefix + "pipeline_model", model);
            results.put(prefix + "pipeline_instances", done.instances());
            results.put(prefix + "pipeline_series", done.series());
            results.put(prefix + "pipeline_skipped", done.skipped());
            results.put(
                    prefix + "pipeline_descriptions",
                    described.stream()
                            .mapToInt(row -> row.descriptions().size())
                            .sum());
            results.put(
                    prefix + "pipeline_distinct_descriptions",
                    described.stream()
                            .flatMap(row -> row.descriptions().stream())
                            .distinct()
                            .count());
            results.put(
                    prefix + "pipeline_distinct_summaries",
                    described.stream()
                            .map(row -> row.descriptions().getFirst())
                            .distinct()
                            .count());
            results.put(prefix + "pipeline_4500_series_s", Math.round(seconds * 10) / 10.0);
            Map<String, Object> steps = new LinkedHashMap<>();
            for (CohortRuns.Step step : done.steps()) {
                if (step.startedAt() != null && step.finishedAt() != null) {
                    steps.put(
                            step.name() + "_s",
                            Math.round(Duration.between(step.startedAt(), step.finishedAt())
                                                    .toMillis()
                                            / 100.0)
                                    / 10.0);
                }
            }
            results.put(prefix + "pipeline_steps", steps);
            if (!cold) {
                worstCase(pipeline, described, results);
            }
            if (done.message() != null) {
                results.put(prefix + "pipeline_message", done.message());
            }
        }
    }
}
