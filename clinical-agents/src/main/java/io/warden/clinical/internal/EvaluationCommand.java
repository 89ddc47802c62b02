package io.warden.clinical.internal;

import io.warden.clinical.Evaluation;
import io.warden.clinical.IndexKind;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorRecord;
import io.warden.clinical.Vectors;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code java -jar warden.jar evaluate}: builds an index of the given kind over labelled vectors and
 * reports, for labelled queries, recall@k against exact search, P@1, P@3, P@5 and P@10 by label, and top-1
 * and top-k majority-vote accuracy, as one JSON object.
 *
 * <pre>evaluate --base base.npy --base-labels base-labels.json --queries queries.npy --query-labels query-labels.json
 *          [--kind FLAT|HNSW|HNSW_INT8] [--k 10]</pre>
 *
 * Labels are JSON arrays of strings, one per row of the matching {@code .npy}. Vectors are L2-normalised
 * on the way in. Exit status 0, or 2 with the reason for unusable input.
 */
public final class EvaluationCommand {

    private EvaluationCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        for (String required : List.of("base", "base-labels", "queries", "query-labels")) {
            if (!options.containsKey(required)) {
                err.println("usage: evaluate --base B.npy --base-labels B.json --queries Q.npy --query-labels Q.json"
                        + " [--kind FLAT|HNSW|HNSW_INT8] [--k 10]   (missing --" + required + ")");
                return 2;
            }
        }
        try {
            out.println(evaluate(
                    Path.of(options.get("base")),
                    Path.of(options.get("base-labels")),
                    Path.of(options.get("queries")),
                    Path.of(options.get("query-labels")),
                    IndexKind.valueOf(options.getOrDefault("kind", "HNSW")),
                    Integer.parseInt(options.getOrDefault("k", "10"))));
            return 0;
        } catch (RetrievalRejected e) {
            err.println("cannot evaluate: " + e.code() + ": " + e.getMessage());
            return 2;
        } catch (IOException | IllegalArgumentException e) {
            err.println("cannot evaluate: " + e.getMessage());
            return 2;
        }
    }

    static String evaluate(Path base, Path baseLabels, Path queries, Path queryLabels, IndexKind kind, int k)
            throws IOException {
        List<float[]> baseVectors = npy(base);
        List<String> labels = labels(baseLabels, baseVectors.size());
        List<float[]> queryVectors = npy(queries);
        List<String> expected = labels(queryLabels, queryVectors.size());
        int dimension = baseVectors.getFirst().length;
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < baseVectors.size(); i++) {
            records.add(
                    new VectorRecord("b" + i, Vectors.normalized(baseVectors.get(i)), Map.of("label", labels.get(i))));
        }
        Path folder = Files.createTempDirectory("warden-evaluate");
        try (FileVectorCollections collections = new FileVectorCollections(folder, 16, 100)) {
            var index = collections.replace("evaluated", kind, dimension, records);
            var exact = collections.replace("exact", IndexKind.FLAT, dimension, records);
            List<List<SearchHit>> found = new ArrayList<>();
            List<List<String>> foundIds = new ArrayList<>();
            List<List<String>> exactIds = new ArrayList<>();
            List<List<String>> foundLabels = new ArrayList<>();
            for (float[] query : queryVectors) {
                float[] unit = Vectors.normalized(query);
                List<SearchHit> hits = index.search(unit, Math.max(k, 10), Map.of());
                found.add(hits);
                foundIds.add(hits.stream().map(SearchHit::id).toList());
                foundLabels.add(
                        hits.stream().map(hit -> hit.metadata().get("label")).toList());
                exactIds.add(exact.search(unit, Math.max(k, 10), Map.of()).stream()
                        .map(SearchHit::id)
                        .toList());
            }
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("kind", kind.name());
            report.put("base", baseVectors.size());
            report.put("queries", queryVectors.size());
            report.put("recall_at_" + k, Evaluation.recallAtK(foundIds, exactIds, k));
            for (int p : new int[] {1, 3, 5, 10}) {
                report.put("p_at_" + p, Evaluation.precisionAtK(expected, foundLabels, p));
            }
            report.put("top1_vote_accuracy", Evaluation.majorityVoteAccuracy(expected, found, "label", 1));
            report.put("top" + k + "_vote_accuracy", Evaluation.majorityVoteAccuracy(expected, found, "label", k));
            StringBuilder json = new StringBuilder("{");
            report.forEach((key, value) -> json.append(json.length() > 1 ? ", " : "")
                    .append('"')
                    .append(key)
                    .append("\": ")
                    .append(
                            value instanceof Double d
                                    ? String.format(Locale.ROOT, "%.4f", d)
                                    : value instanceof String text ? "\"" + text + "\"" : value));
            return json.append('}').toString();
        } finally {
            try (var paths = Files.walk(folder)) {
                paths.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    private static List<float[]> npy(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<float[]> vectors = VectorFiles.readNpy(in);
            if (vectors.isEmpty()) {
                throw new RetrievalRejected("invalid-vectors", file + " holds no vectors");
            }
            return vectors;
        }
    }

    private static List<String> labels(Path file, int rows) throws IOException {
        JsonNode json = JsonMapper.builder().build().readTree(Files.readString(file));
        if (json == null || !json.isArray() || json.size() != rows) {
            throw new RetrievalRejected("invalid-vectors", file + " must be a JSON array of " + rows + " labels");
        }
        List<String> labels = new ArrayList<>();
        json.forEach(label -> labels.add(label.asString()));
        return labels;
    }
}
