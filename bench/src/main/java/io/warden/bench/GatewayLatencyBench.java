package io.warden.bench;

import com.sun.management.OperatingSystemMXBean;
import io.warden.WardenApplication;
import io.warden.clinical.Neighbours;
import io.warden.clinical.Retrieval;
import io.warden.clinical.SearchHit;
import io.warden.clinical.SearchQuery;
import io.warden.clinical.Vote;
import java.lang.management.ManagementFactory;
import java.net.URI;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * Gateway-added latency. Starts the real Warden in-process (embedded PostgreSQL with {@code fsync=on},
 * the embedded identity provider, the demo agents, durable audit) with one change: the retrieval service is
 * a no-op tool that answers three fixed hits at once. An open-loop driver then sends the same JSON body
 * over HTTP at fixed rates, (a) straight to that no-op tool ({@code POST /bench/no-op-tool}, no security)
 * and (b) through the gateway ({@code POST /gateway/v1/text-search} with an agent's bearer token: token
 * validation, agent mapping, kill switches, rate limit, policy decision, obligations, the decision's and the
 * outcome's durable audit records, the no-op tool). Each request's latency is measured from the time it was
 * scheduled to be sent, not from when it was sent, so a stall is charged to every request it delayed
 * (coordinated omission corrected). After each gateway run the audit trail is counted: every 200 answer
 * must have its PERMIT decision and its outcome record. The process's CPU time per call is reported for both
 * paths; {@code cpu_us_per_governed_call} is the gateway's less the direct path's (the driver's and the HTTP
 * server's share cancel out), taken from the last rate run.
 *
 * <p>Arguments: {@code --rates 500,1000,2000 --seconds 30 --warmup 10}. Prints one JSON object.
 */
public final class GatewayLatencyBench {

    private static final String AGENT = "demo-retrieval-agent";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The whole process's CPU time (Warden, its HTTP server, the driver; PostgreSQL runs in its own processes and
     * is not counted): per call over a run, and the gateway's less the direct path's is what governing a call costs.
     */
    private static final OperatingSystemMXBean PROCESS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** The measured figures of one run at one rate. */
    record Run(
            String mode,
            int rate,
            long sent,
            long ok,
            long failed,
            double p50,
            double p90,
            double p99,
            double p999,
            double max,
            double cpuUsPerCall) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        List<Integer> rates = List.of(
                        options.getOrDefault("rates", "500,1000,2000").split(","))
                .stream()
                .map(Integer::parseInt)
                .toList();
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "30"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "10"));
        Path data = Files.createTempDirectory("warden-gateway-bench");
        try (ConfigurableApplicationContext warden = new SpringApplicationBuilder(
                        WardenApplication.class, NoOpTool.class)
                .run(
                        "--server.port=0",
                        "--" + NoOpTool.ENABLED + "=true",
                        "--warden.data-dir=" + data,
                        "--warden.gateway.rate-limits.default-rate-per-second=1000000",
                        "--warden.gateway.rate-limits.default-burst=1000000",
                        "--logging.level.root=WARN")) {
            int port = Objects.requireNonNull(
                            ((WebServerApplicationContext) warden).getWebServer(), "Warden serves HTTP")
                    .getPort();
            URI base = URI.create("http://localhost:" + port);
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String token = token(http, base);
            // the gateway serves catalogued collections only: an admin catalogues the one the calls name
            HttpResponse<String> catalogued = http.send(
                    HttpRequest.newBuilder(base.resolve("/api/v1/collections"))
                            .header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + PersonTokens.token(base, "ada.admin", "warden-demo"))
                            .POST(HttpRequest.BodyPublishers.ofString("""
                                    {"name":"ct-series","dataScope":"imaging-ct-deid","modality":"TEXT",
                                     "embeddingModel":"no-op","indexKind":"FLAT","deidentified":true}"""))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (catalogued.statusCode() != 201) {
                throw new IllegalStateException(
                        "could not catalogue ct-series: " + catalogued.statusCode() + " " + catalogued.body());
            }
            JdbcClient jdbc = JdbcClient.create(warden.getBean(DataSource.class));
            String body = """
                    {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"CT chest axial","k":10}""";
            HttpRequest direct = HttpRequest.newBuilder(base.resolve("/bench/no-op-tool"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            HttpRequest gateway = HttpRequest.newBuilder(base.resolve("/gateway/v1/text-search"))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();

            // a gateway that refuses the call would time its refusals: measure only what is answered
            HttpResponse<String> probe = http.send(gateway, HttpResponse.BodyHandlers.ofString());
            if (probe.statusCode() != 200) {
                throw new IllegalStateException(
                        "the gateway refuses the benchmark's call: " + probe.statusCode() + " " + probe.body());
            }

            Map<String, Object> results = new LinkedHashMap<>();
            long missingTotal = 0;
            List<Run> runs = new ArrayList<>();
            for (int rate : rates) {
                drive(http, direct, rate, warmup, "direct");
                Run straight = drive(http, direct, rate, seconds, "direct");
                drive(http, gateway, rate, warmup, "gateway");
                long permitsBefore = count(jdbc, "gateway.decision", "PERMIT");
                long outcomesBefore = count(jdbc, "gateway.outcome", null);
                Run governed = drive(http, gateway, rate, seconds, "gateway");
                long permits = count(jdbc, "gateway.decision", "PERMIT") - permitsBefore;
                long outcomes = count(jdbc, "gateway.outcome", null) - outcomesBefore;
                long missing = Math.max(0, governed.ok() - permits) + Math.max(0, governed.ok() - outcomes);
                missingTotal += missing;
                runs.add(straight);
                runs.add(governed);
                String at = "_at_" + rate + "rps";
                results.put("direct_p50_ms" + at, round(straight.p50()));
                results.put("direct_p99_ms" + at, round(straight.p99()));
                results.put("gateway_p50_ms" + at, round(governed.p50()));
                results.put("gateway_p99_ms" + at, round(governed.p99()));
                results.put("added_p50_ms" + at, round(governed.p50() - straight.p50()));
                results.put("added_p99_ms" + at, round(governed.p99() - straight.p99()));
                results.put("gateway_failed" + at, governed.failed());
                results.put("cpu_us_per_direct_call" + at, round(straight.cpuUsPerCall()));
                results.put("cpu_us_per_gateway_call" + at, round(governed.cpuUsPerCall()));
                results.put("cpu_us_per_governed_call" + at, round(governed.cpuUsPerCall() - straight.cpuUsPerCall()));
                results.put("audit_records_missing" + at, missing);
                System.err.printf(
                        Locale.ROOT,
                        "%d rps: direct %s%n         gateway %s%n         audit: %d permits, %d outcomes for %d answers%n",
                        rate,
                        straight,
                        governed,
                        permits,
                        outcomes,
                        governed.ok());
            }
            results.put("audit_records_missing", missingTotal);
            Run lastDirect = runs.get(runs.size() - 2);
            Run lastGateway = runs.get(runs.size() - 1);
            results.put("cpu_us_per_governed_call", round(lastGateway.cpuUsPerCall() - lastDirect.cpuUsPerCall()));
            results.put("runs", runs);
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        }
    }

    /**
     * Sends {@code rate} requests a second for {@code seconds}, each at its scheduled time whatever the
     * answers before it did (open loop), and records each latency from its scheduled time, in microseconds.
     */
    static Run drive(HttpClient http, HttpRequest request, int rate, int seconds, String mode)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        long total = (long) rate * seconds;
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        CountDownLatch answered = new CountDownLatch((int) total);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        long cpuBefore = PROCESS.getProcessCpuTime();
        for (long i = 0; i < total; i++) {
            long scheduled = start + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
                recorder.recordValue(Math.max(1, (System.nanoTime() - scheduled) / 1000));
                if (error == null && response.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                answered.countDown();
            });
        }
        if (!answered.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(answered.getCount() + " requests unanswered after 60 s");
        }
        long cpu = PROCESS.getProcessCpuTime() - cpuBefore;
        Histogram histogram = recorder.getIntervalHistogram();
        return new Run(
                mode,
                rate,
                total,
                ok.get(),
                failed.get(),
                ms(histogram, 50),
                ms(histogram, 90),
                ms(histogram, 99),
                ms(histogram, 99.9),
                histogram.getMaxValue() / 1000.0,
                cpu / 1000.0 / total);
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double round(double millis) {
        return Math.round(millis * 1000) / 1000.0;
    }

    private static long count(JdbcClient jdbc, String action, @Nullable String decision) {
        return jdbc.sql("select count(*) from audit_event where action = :action and agent_id = :agent"
                        + (decision == null ? "" : " and decision = :decision"))
                .param("action", action)
                .param("agent", AGENT)
                .params(decision == null ? Map.of() : Map.of("decision", decision))
                .query(Long.class)
                .single();
    }

    private static String token(HttpClient http, URI base) throws Exception {
        String basic =
                Base64.getEncoder().encodeToString((AGENT + ":" + AGENT + "-secret").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(base.resolve("/oauth2/token"))
                        .header("Authorization", "Basic " + basic)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("no token: " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body()).get("access_token").asString();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return options;
    }

    /**
     * The benchmark's only change to Warden: a tool that does nothing, used by the gateway (it replaces the
     * retrieval service) and reachable straight, without the gateway, at {@code /bench/no-op-tool}. Warden's component
     * scan of {@code io.warden} finds it in every driver that starts Warden, so it applies only where this driver asks
     * for it: elsewhere the real retrieval service must serve.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(NoOpTool.ENABLED)
    static class NoOpTool {

        static final String ENABLED = "warden.bench.no-op-tool";

        static final List<SearchHit> HITS = List.of(
                new SearchHit("series-1", 0.93f, Map.of("dataset", "imaging-ct-deid", "label", "chest")),
                new SearchHit("series-2", 0.91f, Map.of("dataset", "imaging-ct-deid", "label", "chest")),
                new SearchHit("series-3", 0.88f, Map.of("dataset", "imaging-ct-deid", "label", "head")));

        @Bean
        @Primary
        Retrieval noOpRetrieval() {
            return new Retrieval() {
                public Neighbours search(String c, SearchQuery q, int k, Map<String, String> f) {
                    return new Neighbours(c, 1, HITS);
                }

                public Vote classify(String c, SearchQuery q, int k, String l, boolean w, Map<String, String> f) {
                    throw new UnsupportedOperationException("the no-op tool only searches");
                }

                public Status status() {
                    return new Status("no-op", 512, "none", null, List.of());
                }
            };
        }

        @Bean
        @Order(0)
        SecurityFilterChain noOpToolSecurity(HttpSecurity http) throws Exception {
            http.securityMatcher("/bench/**")
                    .authorizeHttpRequests(rules -> rules.anyRequest().permitAll())
                    .csrf(csrf -> csrf.disable());
            return http.build();
        }
    }

    /** The same call as the gateway's, straight to the tool (found by Warden's component scan of {@code io.warden}). */
    @RestController
    @ConditionalOnProperty(NoOpTool.ENABLED)
    static class Straight {

        record Call(
                String collection,
                String dataset,
                String purposeOfUse,
                String text,
                float[] vector,
                int k,
                Map<String, String> filter) {}

        record Answer(List<SearchHit> hits, int k, List<String> redacted) {}

        private final Retrieval retrieval;

        Straight(Retrieval retrieval) {
            this.retrieval = retrieval;
        }

        @PostMapping(path = "/bench/no-op-tool", consumes = "application/json", produces = "application/json")
        Answer call(@RequestBody Call call) {
            return new Answer(
                    retrieval.searchByText(
                            call.collection(), call.text(), call.k(), call.filter() == null ? Map.of() : call.filter()),
                    call.k(),
                    List.of());
        }
    }
}
