package io.warden.bench;

import com.sun.net.httpserver.HttpServer;
import io.warden.WardenApplication;
import io.warden.clinical.Embedder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Governed collections end to end: starts the real Warden in-process (embedded PostgreSQL with {@code fsync=on}, the
 * embedded identity provider, the demo agents, durable audit, the shipped MiniLM text model) and drives it only over
 * HTTP, as an admin and a demo agent would.
 *
 * <ul>
 *   <li>{@code ingest-text}: an admin uploads an NDJSON file of generated, labelled radiology sentences to
 *       {@code POST /api/v1/collections/{name}/uploads} (not timed), then asks for a build ({@code /builds}); the
 *       clock runs from the build request to the version being read back READY (polled), so it covers the
 *       {@code collection-build} process: reading, embedding, the committed batches, the index and the switch.
 *       {@code ingest_text_items_per_s} is accepted items over those seconds.
 *   <li>{@code ingest-vectors}: the same with precomputed vectors: a float32 {@code .npy} of clustered unit vectors and
 *       an NDJSON of their labels, format {@code vectors-npy}, into an IMAGE collection; {@code ingest_vectors_per_s}.
 *   <li>{@code classify}: a text collection of {@code --items} generated sentences is built through the same API in
 *       the demo agent {@code demo-report-classifier}'s data scope; the agent's calls to
 *       {@code POST /gateway/v1/classify} (a k-NN vote: token validation, policy decision, the durable audit records,
 *       embedding the query, the search, the vote) then run (a) closed loop: {@code --clients} callers, each sending
 *       its next call when its last is answered, for {@code --seconds}; {@code classify_qps} is answered calls per
 *       second; and (b) open loop at {@code --rate} calls per second for {@code --seconds}, each latency measured from
 *       the time its call was scheduled, not sent (coordinated omission corrected, as {@link GatewayLatencyBench}
 *       does); {@code classify_p99_ms} and {@code classify_p50_ms} come from that run. Query sentences are generated
 *       apart from the collection's and used in turn. Every 200 answer of the open-loop run must have its outcome
 *       audit record.
 *   <li>{@code evaluate}: one evaluation of the classify collection's current version through
 *       {@code POST .../versions/{v}/evaluations} (k {@code --k}, {@code --eval-queries} sampled items, each
 *       searched for leave-one-out against the index and exactly); {@code evaluate_10k_s} is the request's seconds.
 * </ul>
 *
 * <p>Arguments (defaults): {@code --mode all} (or one of {@code ingest-text, ingest-vectors, classify, evaluate}),
 * {@code --items 10000 --ingest-items 5000 --vectors 100000 --dimension 512 --vector-labels 100 --clients 16
 * --rate 1000 --seconds 30 --warmup 10 --k 5 --index HNSW --vector-index HNSW --eval-queries 2000 --text-model minilm
 * --seed 42}. Prints one JSON object.
 */
public final class CollectionsBench {

    private static final String AGENT = "demo-report-classifier";
    private static final String TEXT_SCOPE = "radiology-reports-deid";
    private static final String IMAGE_SCOPE = "wound-images-deid";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Run(
            long sent,
            long ok,
            long failed,
            Map<String, Long> failures,
            double p50,
            double p90,
            double p99,
            double p999,
            double max) {}

    private record Ingest(long items, long accepted, long rejected, double seconds, double serverSeconds) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        String mode = options.getOrDefault("mode", "all");
        if (!Set.of("all", "ingest-text", "ingest-vectors", "classify", "evaluate", "rag")
                .contains(mode)) {
            throw new IllegalArgumentException(
                    "--mode is all, ingest-text, ingest-vectors, classify, evaluate or rag, got " + mode);
        }
        int items = intOption(options, "items", 10_000);
        int ingestItems = intOption(options, "ingest-items", 5_000);
        int vectors = intOption(options, "vectors", 100_000);
        int dimension = intOption(options, "dimension", 512);
        int vectorLabels = intOption(options, "vector-labels", 100);
        int clients = intOption(options, "clients", 16);
        int rate = intOption(options, "rate", 1000);
        int seconds = intOption(options, "seconds", 30);
        int warmup = intOption(options, "warmup", 10);
        int k = intOption(options, "k", 5);
        int evalQueries = intOption(options, "eval-queries", 2000);
        long seed = Long.parseLong(options.getOrDefault("seed", "42"));
        String index = options.getOrDefault("index", "HNSW");
        String vectorIndex = options.getOrDefault("vector-index", "HNSW");
        String textModel = options.getOrDefault("text-model", "minilm");
        boolean all = mode.equals("all");

        Path data = Files.createTempDirectory("warden-collections-bench");
        int port = freePort();
        try (ConfigurableApplicationContext warden = new SpringApplicationBuilder(WardenApplication.class)
                .run(
                        "--server.port=" + port,
                        "--warden.identity.issuer=http://localhost:" + port,
                        "--warden.data-dir=" + data,
                        "--warden.demo.enabled=true",
                        "--warden.retrieval.text-model=" + textModel,
                        "--warden.lifecycle.sweep-interval=PT24H",
                        "--warden.gateway.rate-limits.default-rate-per-second=1000000",
                        "--warden.gateway.rate-limits.default-burst=1000000",
                        "--logging.level.root=WARN")) {
            URI base = URI.create("http://localhost:" + port);
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String model = warden.getBean(Embedder.class).modelName();
            JdbcClient jdbc = JdbcClient.create(warden.getBean(DataSource.class));
            Map<String, Object> results = new LinkedHashMap<>();
            Map<String, Object> settings = new LinkedHashMap<>();

            if (all || mode.equals("ingest-text")) {
                Ingest ingest = ingestText(http, base, model, "bench-text-ingest", ingestItems, index, seed + 1);
                results.put("ingest_text_items_per_s", round(ingest.accepted() / ingest.seconds()));
                settings.put("ingest_text", ingest);
                System.err.printf(Locale.ROOT, "ingest-text: %s%n", ingest);
            }
            if (all || mode.equals("ingest-vectors")) {
                Ingest ingest = ingestVectors(
                        http, base, "bench-vectors", vectors, dimension, vectorLabels, vectorIndex, seed + 2);
                results.put("ingest_vectors_per_s", round(ingest.accepted() / ingest.seconds()));
                settings.put("ingest_vectors", ingest);
                settings.put("ingest_vectors_dimension", dimension);
                settings.put("ingest_vectors_index", vectorIndex);
                System.err.printf(Locale.ROOT, "ingest-vectors: %s%n", ingest);
            }
            if (all || mode.equals("classify") || mode.equals("evaluate")) {
                String name = "bench-findings";
                Ingest built = ingestText(http, base, model, name, items, index, seed);
                settings.put("classify_collection", built);
                settings.put("classify_collection_index", index);
                System.err.printf(Locale.ROOT, "classify collection: %s%n", built);
                if (all || mode.equals("classify")) {
                    classify(http, base, jdbc, name, k, clients, rate, seconds, warmup, seed, results, settings);
                }
                if (all || mode.equals("evaluate")) {
                    String admin = PersonTokens.token(base, "ada.admin", "warden-demo");
                    String body = "{\"k\":%d,\"queries\":%d,\"seed\":%d}".formatted(k, evalQueries, seed);
                    long start = System.nanoTime();
                    HttpResponse<String> evaluated = send(
                            http, base, "POST", "/api/v1/collections/" + name + "/versions/1/evaluations", admin, body);
                    double took = (System.nanoTime() - start) / 1e9;
                    expect(evaluated, 201);
                    JsonNode result = JSON.readTree(evaluated.body()).get("result");
                    results.put("evaluate_10k_s", round(took));
                    settings.put("evaluate_items", items);
                    settings.put("evaluate_queries", result.get("queries").asInt());
                    settings.put("evaluate_k", k);
                    settings.put(
                            "evaluate_top1_accuracy", result.get("top1Accuracy").asDouble());
                    settings.put("evaluate_recall_at_k", result.get("recallAtK").asDouble());
                    System.err.printf(Locale.ROOT, "evaluate: %.3f s, %s%n", took, result);
                }
            }
            if (mode.equals("rag")) {
                rag(
                        http,
                        base,
                        data,
                        jdbc,
                        intOption(options, "rag-rate", 50),
                        seconds,
                        warmup,
                        seed,
                        results,
                        settings);
            }
            settings.put("text_model", model);
            settings.put("cores", Runtime.getRuntime().availableProcessors());
            settings.put("jdk", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.version"));
            results.put("settings", settings);
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        }
    }

    private static void classify(
            HttpClient http,
            URI base,
            JdbcClient jdbc,
            String collection,
            int k,
            int clients,
            int rate,
            int seconds,
            int warmup,
            long seed,
            Map<String, Object> results,
            Map<String, Object> settings)
            throws Exception {
        String token = agentToken(http, base);
        List<HttpRequest> calls = new ArrayList<>();
        for (String text : Sentences.queries(500, seed + 100)) {
            String body = JSON.writeValueAsString(Map.of(
                    "collection", collection,
                    "dataset", TEXT_SCOPE,
                    "purposeOfUse", "TREAT",
                    "text", text,
                    "k", k));
            calls.add(HttpRequest.newBuilder(base.resolve("/gateway/v1/classify"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build());
        }
        // one call before the clock starts, so that a wiring mistake is reported as such and not as a failure rate
        HttpResponse<String> first = http.send(calls.getFirst(), HttpResponse.BodyHandlers.ofString());
        expect(first, 200);
        JsonNode answer = JSON.readTree(first.body());
        if (!answer.has("classification") || answer.get("hits").size() != k) {
            throw new IllegalStateException("classify did not vote over " + k + " neighbours: " + first.body());
        }

        closedLoop(http, calls, clients, warmup, new ConcurrentSkipListMap<>());
        Map<String, Long> closedFailures = new ConcurrentSkipListMap<>();
        long[] closed = closedLoop(http, calls, clients, seconds, closedFailures);
        double qps = closed[0] / (double) seconds;

        openLoop(http, calls, rate, warmup);
        long outcomesBefore = outcomes(jdbc);
        Run open = openLoop(http, calls, rate, seconds);
        long missing = Math.max(0, open.ok() - (outcomes(jdbc) - outcomesBefore));

        results.put("classify_qps", round(qps));
        results.put("classify_p99_ms", round(open.p99()));
        results.put("classify_p50_ms", round(open.p50()));
        results.put("classify_failures", closed[1] + open.failed());
        results.put("classify_clients", clients);
        settings.put(
                "classify_closed_loop",
                Map.of("clients", clients, "seconds", seconds, "ok", closed[0], "failed", closed[1]));
        settings.put("classify_open_loop", open);
        settings.put("classify_rate", rate);
        settings.put("classify_k", k);
        settings.put("classify_audit_outcomes_missing", missing);
        System.err.printf(
                Locale.ROOT,
                "classify: closed loop %d clients %.1f calls/s (%d failed); open loop at %d/s %s; %d outcome records missing%n",
                clients,
                qps,
                closed[1],
                rate,
                open,
                missing);
    }

    /**
     * rag-classify through the gateway on the demo collection, against a local chat-completions stand-in that answers
     * after a fixed 50 ms (so the figure over 50 ms is Warden's: two decisions, the retrieval, the prompt, the model
     * call through the HTTP tool's egress guard, the parse, four audit records). An agent granted rag-classify and the
     * model tool is registered and approved through the API first.
     */
    private static void rag(
            HttpClient http,
            URI base,
            Path data,
            JdbcClient jdbc,
            int rate,
            int seconds,
            int warmup,
            long seed,
            Map<String, Object> results,
            Map<String, Object> settings)
            throws Exception {
        HttpServer model = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        model.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Pattern firstCase = Pattern.compile("1\\. id=(\\S+) label=(\\S+) ");
        model.createContext("/v1/chat/completions", exchange -> {
            String prompt = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = firstCase.matcher(prompt);
            String content = m.find()
                    ? JSON.writeValueAsString(
                            Map.of("label", m.group(2), "cited", List.of(m.group(1)), "reason", "the nearest case"))
                    : "{}";
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = JSON.writeValueAsBytes(Map.of(
                    "choices",
                    List.of(Map.of(
                            "finish_reason", "stop", "message", Map.of("role", "assistant", "content", content)))));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        model.start();
        try {
            String admin = PersonTokens.token(base, "ada.admin", "warden-demo");
            String owner = PersonTokens.token(base, "olivia.owner", "warden-demo");
            expectOneOf(send(http, base, "POST", "/api/v1/egress-hosts", admin, """
                            {"host":"127.0.0.1","allowPrivate":true,"reason":"the benchmark's model stand-in"}"""), 201, 409);
            expect(
                    send(http, base, "POST", "/api/v1/tools", admin, """
                            {"key":"bench-chat","displayName":"Bench chat model","backend":{"kind":"HTTP",
                             "method":"POST","urlTemplate":"http://127.0.0.1:%d/v1/chat/completions","timeoutMs":5000,
                             "maxResponseBytes":65536,"phiApproved":false},"maxK":10,"sensitivity":"INTERNAL",
                             "inputSchema":{"type":"object"},"dataScopes":["%s"]}""".formatted(
                                    model.getAddress().getPort(), TEXT_SCOPE)),
                    201);
            HttpResponse<String> registered =
                    send(http, base, "POST", "/api/v1/agents", owner, """
                    {"name":"RAG bench agent","kind":"RETRIEVAL","purpose":"benchmark","dataScopes":["%s"],
                     "tools":["rag-classify","bench-chat"],"purposesOfUse":["TREAT"]}""".formatted(TEXT_SCOPE));
            expect(registered, 201);
            String agentId = JSON.readTree(registered.body()).get("id").asString();
            JsonNode pending = JSON.readTree(
                            send(http, base, "GET", "/api/v1/approvals?status=PENDING&agentId=" + agentId, admin, null)
                                    .body())
                    .get("items")
                    .get(0);
            expect(
                    send(
                            http,
                            base,
                            "POST",
                            "/api/v1/approvals/" + pending.get("id").asString() + "/approve",
                            admin,
                            "{\"reason\":\"benchmark\"}"),
                    200);
            String clientId = null;
            for (int i = 0; i < 300 && clientId == null; i++) {
                JsonNode agent = JSON.readTree(send(http, base, "GET", "/api/v1/agents/" + agentId, admin, null)
                        .body());
                if ("ACTIVE".equals(agent.path("status").asString(""))) {
                    clientId = agent.get("clientId").asString();
                } else {
                    Thread.sleep(100);
                }
            }
            if (clientId == null) {
                throw new IllegalStateException("the RAG bench agent did not become ACTIVE");
            }
            String secret = Files.readString(data.resolve("secrets").resolve(clientId + ".secret"))
                    .strip();
            String token = clientToken(http, base, clientId, secret);
            List<HttpRequest> calls = new ArrayList<>();
            for (String text : Sentences.queries(200, seed + 200)) {
                String body = JSON.writeValueAsString(Map.of(
                        "arguments",
                        Map.of("collection", "demo-radiology-findings", "model", "bench-chat", "text", text, "k", 5),
                        "dataset",
                        TEXT_SCOPE,
                        "purposeOfUse",
                        "TREAT"));
                calls.add(HttpRequest.newBuilder(base.resolve("/gateway/v1/tools/rag-classify"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build());
            }
            HttpResponse<String> first = http.send(calls.getFirst(), HttpResponse.BodyHandlers.ofString());
            expect(first, 200);
            if (!JSON.readTree(first.body()).path("structured").path("cited").isArray()) {
                throw new IllegalStateException("rag-classify gave no cited cases: " + first.body());
            }
            openLoop(http, calls, rate, warmup);
            Run run = openLoop(http, calls, rate, seconds);
            results.put("rag_classify_p50_ms", round(run.p50()));
            results.put("rag_classify_p99_ms", round(run.p99()));
            results.put("rag_classify_failures", run.failed());
            settings.put("rag_rate", rate);
            settings.put("rag_model_answer_ms", 50);
            settings.put("rag_open_loop", run);
            System.err.printf(Locale.ROOT, "rag-classify at %d/s: %s%n", rate, run);
        } finally {
            model.stop(0);
        }
    }

    private static void expectOneOf(HttpResponse<String> response, int status, int other) {
        if (response.statusCode() != status && response.statusCode() != other) {
            expect(response, status);
        }
    }

    private static String clientToken(HttpClient http, URI base, String clientId, String secret) throws Exception {
        String basic = Base64.getEncoder()
                .encodeToString((URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                                + URLEncoder.encode(secret, StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(base.resolve("/oauth2/token"))
                        .header("Authorization", "Basic " + basic)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        expect(response, 200);
        return JSON.readTree(response.body()).get("access_token").asString();
    }

    /**
     * {@code clients} callers, each sending its next call when its last is answered; answered and failed calls, with
     * the failures counted by status into {@code failures}.
     */
    private static long[] closedLoop(
            HttpClient http, List<HttpRequest> calls, int clients, int seconds, Map<String, Long> failures)
            throws InterruptedException {
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int offset = c * 31;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = offset; System.nanoTime() < deadline; i++) {
                    try {
                        HttpResponse<byte[]> response =
                                http.send(calls.get(i % calls.size()), HttpResponse.BodyHandlers.ofByteArray());
                        // a call answered after the deadline is not counted: the rate is over the measured seconds
                        if (System.nanoTime() <= deadline) {
                            if (response.statusCode() == 200) {
                                ok.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                                failures.merge(String.valueOf(response.statusCode()), 1L, Long::sum);
                            }
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                        failures.merge("io-error", 1L, Long::sum);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new long[] {ok.get(), failed.get()};
    }

    /**
     * Sends {@code rate} calls a second for {@code seconds}, each at its scheduled time whatever the answers before it
     * did, and records each latency from its scheduled time (as {@link GatewayLatencyBench#drive} does).
     */
    private static Run openLoop(HttpClient http, List<HttpRequest> calls, int rate, int seconds)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        long total = (long) rate * seconds;
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        CountDownLatch answered = new CountDownLatch((int) total);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Map<String, Long> failures = new ConcurrentSkipListMap<>();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        for (long i = 0; i < total; i++) {
            long scheduled = start + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            http.sendAsync(calls.get((int) (i % calls.size())), HttpResponse.BodyHandlers.ofByteArray())
                    .whenComplete((response, error) -> {
                        recorder.recordValue(Math.max(1, (System.nanoTime() - scheduled) / 1000));
                        if (error == null && response.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            failures.merge(
                                    error == null ? String.valueOf(response.statusCode()) : "io-error", 1L, Long::sum);
                        }
                        answered.countDown();
                    });
        }
        if (!answered.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(answered.getCount() + " calls unanswered after 120 s");
        }
        Histogram histogram = recorder.getIntervalHistogram();
        return new Run(
                total,
                ok.get(),
                failed.get(),
                Map.copyOf(failures),
                ms(histogram, 50),
                ms(histogram, 90),
                ms(histogram, 99),
                ms(histogram, 99.9),
                histogram.getMaxValue() / 1000.0);
    }

    /** Creates a TEXT collection, uploads {@code count} generated sentences and times their build. */
    private static Ingest ingestText(
            HttpClient http, URI base, String model, String name, int count, String index, long seed) throws Exception {
        String admin = PersonTokens.token(base, "ada.admin", "warden-demo");
        expect(
                send(http, base, "POST", "/api/v1/collections", admin, """
                {"name":"%s","displayName":"Benchmark findings","dataScope":"%s","modality":"TEXT",
                 "embeddingModel":"%s","indexKind":"%s","deidentified":true,"labelField":"label"}""".formatted(name, TEXT_SCOPE, model, index)),
                201);
        Path file = Files.createTempFile("bench-text", ".ndjson");
        try (OutputStream out = Files.newOutputStream(file)) {
            List<Sentences.Labelled> sentences = Sentences.generate(count, seed);
            for (int i = 0; i < sentences.size(); i++) {
                Sentences.Labelled s = sentences.get(i);
                out.write(JSON.writeValueAsBytes(Map.of(
                        "id", "%s-%06d".formatted(name, i),
                        "text", s.text(),
                        "metadata", Map.of("label", s.label()))));
                out.write('\n');
            }
        }
        String upload = upload(http, base, name, admin, "application/x-ndjson", file);
        Files.delete(file);
        return build(http, base, name, admin, "{\"format\":\"text\",\"upload\":\"" + upload + "\"}", count);
    }

    /** Creates an IMAGE collection, uploads {@code count} clustered unit vectors as {@code .npy} and times the build. */
    private static Ingest ingestVectors(
            HttpClient http, URI base, String name, int count, int dimension, int labels, String index, long seed)
            throws Exception {
        String admin = PersonTokens.token(base, "ada.admin", "warden-demo");
        expect(
                send(http, base, "POST", "/api/v1/collections", admin, """
                {"name":"%s","displayName":"Benchmark vectors","dataScope":"%s","modality":"IMAGE",
                 "embeddingModel":"bench-encoder","dimension":%d,"indexKind":"%s","deidentified":true,
                 "labelField":"label"}""".formatted(
                                name, IMAGE_SCOPE, dimension, index)),
                201);
        Random random = new Random(seed);
        float[][] centres = new float[labels][dimension];
        for (float[] centre : centres) {
            for (int d = 0; d < dimension; d++) {
                centre[d] = (float) random.nextGaussian();
            }
        }
        Path array = Files.createTempFile("bench-vectors", ".npy");
        Path labelFile = Files.createTempFile("bench-labels", ".ndjson");
        try (FileChannel channel = FileChannel.open(array, StandardOpenOption.WRITE);
                OutputStream labelOut = Files.newOutputStream(labelFile)) {
            channel.write(ByteBuffer.wrap(npyHeader(count, dimension)));
            ByteBuffer row = ByteBuffer.allocate(dimension * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                int label = random.nextInt(labels);
                row.clear();
                for (int d = 0; d < dimension; d++) {
                    row.putFloat(centres[label][d] + 0.6f * (float) random.nextGaussian());
                }
                row.flip();
                while (row.hasRemaining()) {
                    channel.write(row);
                }
                labelOut.write("{\"id\":\"v-%07d\",\"metadata\":{\"label\":\"class-%03d\"}}\n"
                        .formatted(i, label)
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        String arrayUpload = upload(http, base, name, admin, "application/octet-stream", array);
        String labelUpload = upload(http, base, name, admin, "application/x-ndjson", labelFile);
        Files.delete(array);
        Files.delete(labelFile);
        return build(
                http,
                base,
                name,
                admin,
                "{\"format\":\"vectors-npy\",\"upload\":\"%s\",\"labels\":\"%s\"}".formatted(arrayUpload, labelUpload),
                count);
    }

    /** Starts a build and polls its version until it is no longer BUILDING; the build must be READY with every item. */
    private static Ingest build(HttpClient http, URI base, String name, String admin, String body, int count)
            throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> started = send(http, base, "POST", "/api/v1/collections/" + name + "/builds", admin, body);
        expect(started, 202);
        long version = JSON.readTree(started.body()).get("version").asLong();
        JsonNode state;
        while (true) {
            HttpResponse<String> polled = send(
                    http,
                    base,
                    "GET",
                    "/api/v1/collections/" + name + "/versions/" + version + "?rejections=5",
                    admin,
                    null);
            expect(polled, 200);
            state = JSON.readTree(polled.body());
            if (!state.get("state").asString().equals("BUILDING")) {
                break;
            }
            if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(60)) {
                throw new IllegalStateException("version " + version + " of " + name + " still building after 60 min");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!state.get("state").asString().equals("READY")
                || state.get("accepted").asLong() != count) {
            throw new IllegalStateException("the build of " + name + " did not take every item: " + state);
        }
        double server = Duration.between(
                                Instant.parse(state.get("createdAt").asString()),
                                Instant.parse(state.get("finishedAt").asString()))
                        .toNanos()
                / 1e9;
        return new Ingest(
                count, state.get("accepted").asLong(), state.get("rejected").asLong(), round(seconds), round(server));
    }

    private static String upload(HttpClient http, URI base, String name, String admin, String type, Path file)
            throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(base.resolve("/api/v1/collections/" + name + "/uploads"))
                        .header("Authorization", "Bearer " + admin)
                        .header("Content-Type", type)
                        .header("Accept", "application/json, application/problem+json")
                        .POST(HttpRequest.BodyPublishers.ofFile(file))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        expect(response, 201);
        return JSON.readTree(response.body()).get("id").asString();
    }

    /** A version 1.0 {@code .npy} header for a C-order little-endian float32 matrix, padded to 64 bytes. */
    static byte[] npyHeader(int rows, int columns) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }".formatted(rows, columns);
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 1)
                .put((byte) 0);
        buffer.putShort((short) header.length());
        buffer.put(header.getBytes(StandardCharsets.US_ASCII));
        return buffer.array();
    }

    private static long outcomes(JdbcClient jdbc) {
        return jdbc.sql("select count(*) from audit_event where action = 'gateway.outcome' and agent_id = :agent")
                .param("agent", AGENT)
                .query(Long.class)
                .single();
    }

    private static String agentToken(HttpClient http, URI base) throws Exception {
        return clientToken(http, base, AGENT, AGENT + "-secret");
    }

    private static HttpResponse<String> send(
            HttpClient http, URI base, String method, String path, String token, @Nullable String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json, application/problem+json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(
                    response.request().method() + " " + response.request().uri() + " answered " + response.statusCode()
                            + " (expected " + status + "): " + response.body());
        }
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int intOption(Map<String, String> options, String name, int fallback) {
        int value = Integer.parseInt(options.getOrDefault(name, String.valueOf(fallback)));
        if (value < 1) {
            throw new IllegalArgumentException("--" + name + " must be positive, got " + value);
        }
        return value;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return options;
    }

    private CollectionsBench() {}
}
