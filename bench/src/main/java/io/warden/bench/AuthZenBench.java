package io.warden.bench;

import com.sun.management.OperatingSystemMXBean;
import io.warden.WardenApplication;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToDoubleFunction;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * AuthZEN decision latency over HTTP ({@code authzen_p99_ms_at_1000rps}). Starts the real Warden in-process (embedded
 * PostgreSQL with {@code fsync=on}, the embedded identity provider, the demo data, durable audit), and over Warden's
 * own API registers, as the demo owner, and approves, as the demo admin, two clients: an ACTIVE policy enforcement
 * point and an ACTIVE retrieval agent granted {@code text-search} on {@code imaging-ct-deid} for TREAT. The PEP then
 * asks {@code POST /access/v1/evaluation} about that agent at a fixed open-loop rate: a fixed share of the requests are
 * denials (another data scope: SCOPE_NOT_GRANTED; another purpose: PURPOSE_NOT_GRANTED), spread evenly, the rest
 * permits. Each answer's decision is checked against the one expected. Latency is measured from each request's
 * scheduled send time (coordinated omission corrected, as {@link GatewayLatencyBench}). After each run the audit trail
 * is counted: every evaluation answered must be one {@code gateway.decision} record of the subject agent.
 *
 * <p>Arguments: {@code --rate 1000 --seconds 30 --warmup-seconds 10 --runs 1 --deny-percent 20 --batch 0}. With
 * {@code --batch N} (N ≥ 1) each request goes to {@code POST /access/v1/evaluations} with N evaluations (the same
 * mix), and {@code --rate} counts requests, not evaluations. Prints one JSON object.
 */
public final class AuthZenBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final OperatingSystemMXBean PROCESS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final String PERMITTED_SCOPE = "imaging-ct-deid";

    /** One request and the decisions its answer must carry, in order. */
    record Call(HttpRequest request, String expected) {}

    /** The measured figures of one open-loop run. */
    record Run(
            int rate,
            int batch,
            long sent,
            long ok,
            long errors,
            long wrongDecisions,
            double achievedRps,
            double p50,
            double p90,
            double p99,
            double p999,
            double max,
            double cpuUsPerRequest,
            long auditRecordsMissing) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int rate = Integer.parseInt(options.getOrDefault("rate", "1000"));
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "30"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup-seconds", "10"));
        int runs = Integer.parseInt(options.getOrDefault("runs", "1"));
        int denyPercent = Integer.parseInt(options.getOrDefault("deny-percent", "20"));
        int batch = Integer.parseInt(options.getOrDefault("batch", "0"));
        Path data = Files.createTempDirectory("warden-authzen-bench");
        try (ConfigurableApplicationContext warden = new SpringApplicationBuilder(WardenApplication.class)
                .run("--server.port=0", "--warden.data-dir=" + data, "--logging.level.root=WARN")) {
            int port = Objects.requireNonNull(
                            ((WebServerApplicationContext) warden).getWebServer(), "Warden serves HTTP")
                    .getPort();
            URI base = URI.create("http://localhost:" + port);
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String admin = PersonTokens.token(base, "ada.admin", "warden-demo");
            String owner = PersonTokens.token(base, "olivia.owner", "warden-demo");
            String subject = register(http, base, data, owner, admin, "RETRIEVAL", "AuthZEN bench subject");
            String pep = register(http, base, data, owner, admin, "POLICY_ENFORCEMENT_POINT", "AuthZEN bench PEP");
            String pepToken = clientToken(
                    http,
                    base,
                    pep,
                    Files.readString(data.resolve("secrets").resolve(pep + ".secret"))
                            .strip());
            List<Call> calls = calls(base, pepToken, subject, denyPercent, batch);
            for (Call call : calls.subList(0, Math.min(calls.size(), 10))) {
                HttpResponse<String> answer = http.send(call.request(), HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() != 200 || !decisions(answer.body()).equals(call.expected())) {
                    throw new IllegalStateException("unexpected answer " + answer.statusCode() + " " + answer.body()
                            + " (expected decisions " + call.expected() + ")");
                }
            }
            JdbcClient jdbc = JdbcClient.create(warden.getBean(DataSource.class));
            int perRequest = Math.max(1, batch);
            if (warmup > 0) {
                drive(http, calls, rate, warmup, batch);
            }
            List<Run> measured = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                long before = decisions(jdbc, subject);
                Run run = drive(http, calls, rate, seconds, batch);
                long recorded = decisions(jdbc, subject) - before;
                run = withMissing(run, Math.max(0, run.ok() * perRequest - recorded));
                measured.add(run);
                System.err.printf(Locale.ROOT, "run %d: %s (%d decision records)%n", i + 1, run, recorded);
            }
            Map<String, Object> results = new LinkedHashMap<>();
            String at = "_at_" + rate + "rps";
            String key = batch > 0 ? "authzen_batch" + batch : "authzen";
            results.put(key + "_p50_ms" + at, median(measured, Run::p50));
            results.put(key + "_p90_ms" + at, median(measured, Run::p90));
            results.put(key + "_p99_ms" + at, median(measured, Run::p99));
            results.put(key + "_p999_ms" + at, median(measured, Run::p999));
            results.put(key + "_max_ms" + at, median(measured, Run::max));
            results.put(key + "_achieved_rps" + at, median(measured, Run::achievedRps));
            results.put(key + "_cpu_us_per_request" + at, median(measured, Run::cpuUsPerRequest));
            results.put(
                    key + "_errors", measured.stream().mapToLong(Run::errors).sum());
            results.put(
                    key + "_wrong_decisions",
                    measured.stream().mapToLong(Run::wrongDecisions).sum());
            results.put(
                    key + "_audit_records_missing",
                    measured.stream().mapToLong(Run::auditRecordsMissing).sum());
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("rate", rate);
            settings.put("seconds", seconds);
            settings.put("warmup_seconds", warmup);
            settings.put("deny_percent", denyPercent);
            settings.put("batch", batch);
            settings.put("runs", runs);
            results.put("settings", settings);
            results.put("runs", measured);
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        }
    }

    /**
     * 100 requests (the driver sends them in turn): {@code denyPercent} of every 100 evaluations are denials, spread
     * evenly and alternating between a data scope and a purpose the subject is not granted.
     */
    static List<Call> calls(URI base, String pepToken, String subject, int denyPercent, int batch) {
        int perRequest = Math.max(1, batch);
        List<String> evaluations = new ArrayList<>();
        List<Boolean> expected = new ArrayList<>();
        int denials = 0;
        for (int j = 0; j < 100 * perRequest; j++) {
            boolean deny = (j * denyPercent) / 100 != ((j + 1) * denyPercent) / 100;
            String scope = deny && denials % 2 == 0 ? "dermatology-phi" : PERMITTED_SCOPE;
            String purpose = deny && denials % 2 == 1 ? "HRESCH" : "TREAT";
            if (deny) {
                denials++;
            }
            evaluations.add("""
                    {"subject":{"type":"agent","id":"%s"},"action":{"name":"text-search"},\
                    "resource":{"type":"data_scope","id":"%s"},"context":{"purpose_of_use":"%s"}}""".formatted(subject, scope, purpose));
            expected.add(!deny);
        }
        List<Call> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            List<String> some = evaluations.subList(i * perRequest, (i + 1) * perRequest);
            String body = batch > 0 ? "{\"evaluations\":[" + String.join(",", some) + "]}" : some.getFirst();
            calls.add(new Call(
                    HttpRequest.newBuilder(base.resolve(batch > 0 ? "/access/v1/evaluations" : "/access/v1/evaluation"))
                            .header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + pepToken)
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    expected.subList(i * perRequest, (i + 1) * perRequest).toString()));
        }
        return calls;
    }

    /**
     * Sends {@code rate} requests a second for {@code seconds}, each at its scheduled time whatever the answers before
     * it did (open loop), and records each latency from its scheduled time, in microseconds.
     */
    static Run drive(HttpClient http, List<Call> calls, int rate, int seconds, int batch) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        long total = (long) rate * seconds;
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        CountDownLatch answered = new CountDownLatch((int) total);
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicLong wrong = new AtomicLong();
        AtomicLong last = new AtomicLong();
        AtomicIntegerArray done = new AtomicIntegerArray((int) total);
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long cpuBefore = PROCESS.getProcessCpuTime();
        for (long i = 0; i < total; i++) {
            long scheduled = start + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Call call = calls.get((int) (i % calls.size()));
            int index = (int) i;
            http.sendAsync(call.request(), HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                long now = System.nanoTime();
                if (done.getAndSet(index, 1) == 1) {
                    return; // given up on as unanswered, already counted
                }
                recorder.recordValue(Math.max(1, (now - scheduled) / 1000));
                last.accumulateAndGet(now, Math::max);
                if (error == null && response.statusCode() == 200) {
                    ok.incrementAndGet();
                    if (!decisions(response.body()).equals(call.expected())) {
                        wrong.incrementAndGet();
                    }
                } else {
                    errors.incrementAndGet();
                }
                answered.countDown();
            });
        }
        if (!answered.await(60, TimeUnit.SECONDS)) {
            // an overloaded machine stalls answers until the client runs out of connections: what is still unanswered
            // is an error, charged the time it waited (a lower bound), rather than lost from the figures
            long now = System.nanoTime();
            long unanswered = 0;
            for (int i = 0; i < total; i++) {
                if (done.getAndSet(i, 1) == 0) {
                    recorder.recordValue(Math.max(1, (now - (start + i * interval)) / 1000));
                    errors.incrementAndGet();
                    unanswered++;
                }
            }
            last.accumulateAndGet(now, Math::max);
            System.err.printf(Locale.ROOT, "%d requests unanswered after 60 s: counted as errors%n", unanswered);
        }
        long cpu = PROCESS.getProcessCpuTime() - cpuBefore;
        Histogram histogram = recorder.getIntervalHistogram();
        double elapsed = (last.get() - start) / 1e9;
        return new Run(
                rate,
                batch,
                total,
                ok.get(),
                errors.get(),
                wrong.get(),
                round(ok.get() / elapsed),
                ms(histogram, 50),
                ms(histogram, 90),
                ms(histogram, 99),
                ms(histogram, 99.9),
                histogram.getMaxValue() / 1000.0,
                round(cpu / 1000.0 / total),
                0);
    }

    /** The decisions of an answer, single or batch, as {@code [true, false]}; empty when it carries none. */
    private static String decisions(String body) {
        JsonNode answer = JSON.readTree(body);
        List<Boolean> decisions = new ArrayList<>();
        if (answer.has("evaluations")) {
            answer.get("evaluations")
                    .forEach(one -> decisions.add(one.path("decision").asBoolean()));
        } else if (answer.has("decision")) {
            decisions.add(answer.get("decision").asBoolean());
        }
        return decisions.toString();
    }

    private static Run withMissing(Run run, long missing) {
        return new Run(
                run.rate(),
                run.batch(),
                run.sent(),
                run.ok(),
                run.errors(),
                run.wrongDecisions(),
                run.achievedRps(),
                run.p50(),
                run.p90(),
                run.p99(),
                run.p999(),
                run.max(),
                run.cpuUsPerRequest(),
                missing);
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> figure) {
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        return round(values[(values.length - 1) / 2]);
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static long decisions(JdbcClient jdbc, String agent) {
        return jdbc.sql("select count(*) from audit_event where action = 'gateway.decision' and agent_id = :agent")
                .param("agent", agent)
                .query(Long.class)
                .single();
    }

    /** Registers a client as the owner, approves it as the admin, waits for it to be ACTIVE: its client id. */
    private static String register(
            HttpClient http, URI base, Path data, String owner, String admin, String kind, String name)
            throws Exception {
        HttpResponse<String> registered =
                send(http, base, "POST", "/api/v1/agents", owner, """
                {"name":"%s","kind":"%s","purpose":"benchmark","dataScopes":["%s"],
                 "tools":["text-search"],"purposesOfUse":["TREAT"]}""".formatted(name, kind, PERMITTED_SCOPE));
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
        for (int i = 0; i < 300; i++) {
            JsonNode agent = JSON.readTree(send(http, base, "GET", "/api/v1/agents/" + agentId, admin, null)
                    .body());
            if ("ACTIVE".equals(agent.path("status").asString("")) && agent.hasNonNull("clientId")) {
                String clientId = agent.get("clientId").asString();
                if (Files.exists(data.resolve("secrets").resolve(clientId + ".secret"))) {
                    return clientId;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        throw new IllegalStateException(name + " did not become ACTIVE");
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

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return options;
    }
}
