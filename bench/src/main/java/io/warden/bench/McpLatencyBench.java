package io.warden.bench;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.warden.WardenApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What Warden adds to an MCP {@code tools/call}. Starts an upstream MCP server in-process (the MCP Java SDK's stateful
 * Streamable HTTP transport on an embedded Tomcat, one fast tool {@code lookup} that answers a small fixed structured
 * result) and the real Warden (embedded PostgreSQL with {@code fsync=on}, the embedded identity provider, durable
 * audit). An admin allowlists {@code localhost}, registers the upstream and imports {@code lookup} with the data scope
 * {@code imaging-ct-deid}; an owner registers an agent granted it for TREAT, an admin approves it — all over Warden's
 * HTTP API, as the end-to-end tests do. The driver then opens {@code --sessions} MCP sessions on each side with raw
 * HTTP ({@code initialize}, {@code notifications/initialized}) and sends the same {@code tools/call} JSON-RPC request
 * at a fixed rate, round-robin over the sessions, (a) straight to the upstream's {@code /mcp} and (b) to Warden's
 * {@code /mcp} with the agent's bearer token and the purpose and dataset in {@code _meta} (authentication, the governed
 * pipeline, the decision record committed before forwarding, Warden's own session to the upstream, the outcome
 * record). Each answer is read to its end and must be a JSON-RPC result that is not a tool error. Requests are sent at
 * their scheduled times whatever the answers before them did (open loop), and each latency is measured from the
 * scheduled time (coordinated omission corrected). After the run the agent's audit trail is counted: every answered
 * call must have its PERMIT decision and its outcome record.
 *
 * <p>Arguments: {@code --rate 500 --seconds 20 --warmup 5 --sessions 8}. Prints one JSON object.
 */
public final class McpLatencyBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOOL = "lookup";
    private static final String SCOPE = "imaging-ct-deid";
    private static final String SERVER = "bench-upstream";
    private static final String ACCEPT = "application/json, text/event-stream";
    private static final String PROTOCOL = "2025-11-25";

    /** One MCP session: where it lives, its id, and the bearer token its requests carry (none for the upstream). */
    record Session(
            URI endpoint,
            String id,
            String protocolVersion,
            @Nullable String token) {}

    /** The measured figures of one run on one side. */
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
            @Nullable String firstFailure) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int rate = Integer.parseInt(options.getOrDefault("rate", "500"));
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "20"));
        int warmup = Integer.parseInt(options.getOrDefault("warmup", "5"));
        int sessionCount = Integer.parseInt(options.getOrDefault("sessions", "8"));

        Tomcat upstream = upstream();
        int upstreamPort = upstream.getConnector().getLocalPort();
        Path data = Files.createTempDirectory("warden-mcp-bench");
        int port = freePort();
        try (ConfigurableApplicationContext warden = new SpringApplicationBuilder(WardenApplication.class)
                .run(
                        "--server.port=" + port,
                        "--warden.identity.issuer=http://localhost:" + port,
                        "--warden.data-dir=" + data,
                        "--warden.demo.enabled=true",
                        "--warden.gateway.rate-limits.default-rate-per-second=1000000",
                        "--warden.gateway.rate-limits.default-burst=1000000",
                        "--logging.level.root=WARN")) {
            URI base = URI.create("http://localhost:" + port);
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String clientId = grantedAgent(http, base, upstreamPort);
            String token = agentToken(http, base, clientId, data);
            JdbcClient jdbc = JdbcClient.create(warden.getBean(DataSource.class));

            URI upstreamMcp = URI.create("http://localhost:" + upstreamPort + "/mcp");
            URI wardenMcp = base.resolve("/mcp");
            List<Session> direct = new ArrayList<>();
            List<Session> gateway = new ArrayList<>();
            for (int i = 0; i < sessionCount; i++) {
                direct.add(open(http, upstreamMcp, null));
                gateway.add(open(http, wardenMcp, token));
            }
            // one call each before the clock starts, so that a wiring mistake is reported as such
            check(http, direct.getFirst());
            check(http, gateway.getFirst());

            drive(http, direct, rate, warmup, "direct");
            Run straight = drive(http, direct, rate, seconds, "direct");
            Run governedWarmup = drive(http, gateway, rate, warmup, "gateway");
            Run governed = drive(http, gateway, rate, seconds, "gateway");

            // every gateway call of this agent was the bench's: the sanity call, the warm-up and the measured run
            long answered = 1 + governedWarmup.ok() + governed.ok();
            long permits = 0;
            long outcomes = 0;
            long missing = Long.MAX_VALUE;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (missing > 0 && System.nanoTime() < deadline) { // the outcome record may still be in its queue
                permits = count(jdbc, clientId, "gateway.decision", "PERMIT");
                outcomes = count(jdbc, clientId, "gateway.outcome", null);
                missing = Math.max(0, answered - permits) + Math.max(0, answered - outcomes);
                if (missing > 0) {
                    Thread.sleep(200);
                }
            }

            String at = "_at_" + rate + "rps";
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("mcp_direct_p50_ms" + at, round(straight.p50()));
            results.put("mcp_direct_p99_ms" + at, round(straight.p99()));
            results.put("mcp_gateway_p50_ms" + at, round(governed.p50()));
            results.put("mcp_gateway_p99_ms" + at, round(governed.p99()));
            results.put("mcp_added_p50_ms" + at, round(governed.p50() - straight.p50()));
            results.put("mcp_added_p99_ms" + at, round(governed.p99() - straight.p99()));
            results.put("mcp_calls", governed.sent());
            results.put("mcp_failed", governed.failed() + straight.failed());
            results.put("audit_records_missing", missing);
            results.put("sessions_per_side", sessionCount);
            results.put("runs", List.of(straight, governed));
            System.err.printf(
                    Locale.ROOT,
                    "%d rps: direct %s%n         gateway %s%n         audit: %d permits, %d outcomes for %d answers%n",
                    rate,
                    straight,
                    governed,
                    permits,
                    outcomes,
                    answered);
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
        } finally {
            upstream.stop();
            upstream.destroy();
        }
        System.exit(0); // a thread the SDK or Tomcat leaves behind would keep the JVM alive after the figures
    }

    /**
     * Sends {@code rate} calls a second for {@code seconds}, each at its scheduled time whatever the answers before it
     * did (open loop), round-robin over the sessions, and records each latency from its scheduled time, in
     * microseconds, once the answer has been read to its end.
     */
    static Run drive(HttpClient http, List<Session> sessions, int rate, int seconds, String mode)
            throws InterruptedException {
        Recorder recorder = new Recorder(3);
        long total = (long) rate * seconds;
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        CountDownLatch answered = new CountDownLatch((int) total);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        for (long i = 0; i < total; i++) {
            HttpRequest request = call(sessions.get((int) (i % sessions.size())), i + 1);
            long scheduled = start + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                recorder.recordValue(Math.max(1, (System.nanoTime() - scheduled) / 1000));
                String problem = error != null ? String.valueOf(error) : problem(response);
                if (problem == null) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    if (failures.size() < 3) { // the first few say what went wrong
                        failures.add(problem);
                    }
                }
                answered.countDown();
            });
        }
        if (!answered.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(answered.getCount() + " calls unanswered after 60 s (" + mode + ")");
        }
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
                failures.peek());
    }

    /**
     * The same {@code tools/call} on both sides: the upstream ignores the {@code _meta} Warden decides on, so both
     * carry the same bytes.
     */
    private static HttpRequest call(Session session, long id) {
        String body = """
                {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"%s","arguments":{"code":"8867-4"},\
                "_meta":{"io.warden/purposeOfUse":"TREAT","io.warden/dataset":"%s"}}}""".formatted(id, TOOL, SCOPE);
        return post(session.endpoint(), session.token(), session.id(), session.protocolVersion(), body);
    }

    private static HttpRequest post(
            URI endpoint,
            @Nullable String token,
            @Nullable String sessionId,
            @Nullable String protocolVersion,
            String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .header("Accept", ACCEPT)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (sessionId != null) {
            request.header("Mcp-Session-Id", sessionId);
        }
        if (protocolVersion != null) {
            request.header("MCP-Protocol-Version", protocolVersion);
        }
        return request.build();
    }

    /** Opens an MCP session as a client does: {@code initialize}, then {@code notifications/initialized}. */
    private static Session open(HttpClient http, URI endpoint, @Nullable String token) throws Exception {
        String initialize = """
                {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"%s","capabilities":{},\
                "clientInfo":{"name":"warden-mcp-bench","version":"1"}}}""".formatted(PROTOCOL);
        HttpResponse<String> answer =
                http.send(post(endpoint, token, null, null, initialize), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException(
                    "initialize at " + endpoint + ": " + answer.statusCode() + " " + answer.body());
        }
        String id = answer.headers()
                .firstValue("Mcp-Session-Id")
                .orElseThrow(() -> new IllegalStateException("no Mcp-Session-Id from " + endpoint));
        JsonNode result = message(answer).path("result");
        String version = result.path("protocolVersion").asString(PROTOCOL);
        HttpResponse<String> initialized = http.send(
                post(endpoint, token, id, version, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
                HttpResponse.BodyHandlers.ofString());
        if (initialized.statusCode() != 202 && initialized.statusCode() != 200) {
            throw new IllegalStateException("notifications/initialized at " + endpoint + ": " + initialized.statusCode()
                    + " " + initialized.body());
        }
        return new Session(endpoint, id, version, token);
    }

    private static void check(HttpClient http, Session session) throws Exception {
        HttpResponse<String> answer = http.send(call(session, 0), HttpResponse.BodyHandlers.ofString());
        String problem = problem(answer);
        if (problem != null) {
            throw new IllegalStateException("tools/call at " + session.endpoint() + ": " + problem);
        }
    }

    /** Why an answer is not a successful tool result, or null when it is one. */
    private static @Nullable String problem(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            return "HTTP " + response.statusCode() + " " + response.body();
        }
        JsonNode message;
        try {
            message = message(response);
        } catch (IllegalStateException | JacksonException e) {
            return "unreadable answer: " + e.getMessage();
        }
        JsonNode result = message.path("result");
        if (!result.isObject()) {
            return "not a result: " + message;
        }
        if (result.path("isError").asBoolean(false)) {
            return "tool error: " + result;
        }
        if (!result.path("structuredContent").path("display").isString()) {
            return "not the tool's answer: " + result;
        }
        return null;
    }

    /**
     * The JSON-RPC answer in an HTTP answer: the body itself when it is JSON, else the SSE event that carries a result
     * or an error (the stateful transport answers a request as an event stream that ends with the answer).
     */
    private static JsonNode message(HttpResponse<String> response) {
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("application/json")) {
            return JSON.readTree(response.body());
        }
        for (String line : response.body().split("\r?\n")) {
            if (line.startsWith("data:")) {
                JsonNode event = JSON.readTree(line.substring(5).strip());
                if (event.has("result") || event.has("error")) {
                    return event;
                }
            }
        }
        throw new IllegalStateException("no JSON-RPC answer in the event stream: " + response.body());
    }

    /** The upstream MCP server: the SDK's stateful transport on an embedded Tomcat on a free localhost port. */
    private static Tomcat upstream() throws Exception {
        var transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp")
                .build();
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("bench-upstream", "1")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                // on the Tomcat thread: by default the SDK runs sync handlers on Reactor's shared boundedElastic pool
                // (10 threads a core), where Warden's own /mcp handlers wait for this upstream in this same JVM;
                // sharing it, the upstream's handlers would queue behind the calls waiting for them
                .immediateExecution(true)
                .tools(McpServerFeatures.SyncToolSpecification.builder()
                        .tool(Tool.builder(TOOL)
                                .description("Looks up a LOINC code's display name")
                                .inputSchema(Map.of(
                                        "type",
                                        "object",
                                        "properties",
                                        Map.of("code", Map.of("type", "string")),
                                        "required",
                                        List.of("code")))
                                .build())
                        .callHandler((exchange, request) -> lookup(request))
                        .build())
                .build();
        if (server == null) {
            throw new IllegalStateException("no upstream MCP server");
        }
        Tomcat tomcat = new Tomcat();
        tomcat.setPort(0);
        tomcat.setBaseDir(Files.createTempDirectory("warden-mcp-bench-upstream").toString());
        Context context = tomcat.addContext("", null);
        Tomcat.addServlet(context, "mcp", transport).setAsyncSupported(true);
        context.addServletMappingDecoded("/mcp", "mcp");
        tomcat.getConnector();
        tomcat.start();
        return tomcat;
    }

    /** The upstream's tool: a small fixed structured answer, at once. */
    private static CallToolResult lookup(McpSchema.CallToolRequest request) {
        Map<String, Object> arguments = request.arguments();
        Object code = arguments == null ? null : arguments.get("code");
        return CallToolResult.builder()
                .addTextContent("8867-4: Heart rate")
                .structuredContent(
                        Map.of("code", String.valueOf(code), "system", "http://loinc.org", "display", "Heart rate"))
                .build();
    }

    /**
     * Over Warden's HTTP API: an admin allowlists {@code localhost}, registers the upstream and imports its tool; an
     * owner registers an agent granted it; an admin approves the agent. Returns the agent's client id once it is active.
     */
    private static String grantedAgent(HttpClient http, URI base, int upstreamPort) throws Exception {
        String admin = PersonTokens.token(base, "ada.admin", "warden-demo");
        String owner = PersonTokens.token(base, "otto.owner", "warden-demo");
        expect(send(http, base, "POST", "/api/v1/egress-hosts", admin, """
                {"host":"localhost","allowPrivate":true,"reason":"the benchmark's upstream MCP server on this machine"}"""), 201, 409);
        expect(send(http, base, "POST", "/api/v1/mcp-servers", admin, """
                {"key":"%s","displayName":"Benchmark upstream","url":"http://localhost:%d/mcp","phiApproved":false}""".formatted(SERVER, upstreamPort)), 201);
        expect(
                send(http, base, "POST", "/api/v1/mcp-servers/" + SERVER + "/imports", admin, """
                {"tools":[{"upstreamTool":"%s","key":"%s","sensitivity":"CONFIDENTIAL","dataScopes":["%s"]}]}""".formatted(
                                TOOL, TOOL, SCOPE)),
                201);
        HttpResponse<String> registered = send(http, base, "POST", "/api/v1/agents", owner, """
                {"name":"MCP benchmark agent","kind":"RETRIEVAL","purpose":"measures the MCP gateway",
                 "dataScopes":["%s"],"tools":["%s"],"purposesOfUse":["TREAT"]}""".formatted(SCOPE, TOOL));
        expect(registered, 201);
        String agentId = JSON.readTree(registered.body()).get("id").asString();
        String approval = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (approval == null) {
            JsonNode items = JSON.readTree(
                            send(http, base, "GET", "/api/v1/approvals?status=PENDING&agentId=" + agentId, admin, null)
                                    .body())
                    .path("items");
            if (!items.isEmpty()) {
                approval = items.get(0).get("id").asString();
            } else if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no pending approval for agent " + agentId);
            } else {
                Thread.sleep(100);
            }
        }
        expect(
                send(
                        http,
                        base,
                        "POST",
                        "/api/v1/approvals/" + approval + "/approve",
                        admin,
                        "{\"reason\":\"benchmark agent\"}"),
                200);
        while (true) {
            JsonNode agent = JSON.readTree(send(http, base, "GET", "/api/v1/agents/" + agentId, admin, null)
                    .body());
            if ("ACTIVE".equals(agent.path("status").asString(""))) {
                return agent.get("clientId").asString();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("agent " + agentId + " not active: " + agent);
            }
            Thread.sleep(100);
        }
    }

    private static String agentToken(HttpClient http, URI base, String clientId, Path data) throws Exception {
        String secret = Files.readString(data.resolve("secrets").resolve(clientId + ".secret"))
                .strip();
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
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
            HttpClient http, URI base, String method, String path, String token, @Nullable String json)
            throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token);
        if (json != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expect(HttpResponse<String> response, int... statuses) {
        for (int status : statuses) {
            if (response.statusCode() == status) {
                return;
            }
        }
        throw new IllegalStateException(response.request().method() + " "
                + response.request().uri() + ": " + response.statusCode() + " " + response.body());
    }

    private static long count(JdbcClient jdbc, String agent, String action, @Nullable String decision) {
        return jdbc.sql("select count(*) from audit_event where action = :action and agent_id = :agent"
                        + (decision == null ? "" : " and decision = :decision"))
                .param("action", action)
                .param("agent", agent)
                .params(decision == null ? Map.of() : Map.of("decision", decision))
                .query(Long.class)
                .single();
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    private static double round(double millis) {
        return Math.round(millis * 1000) / 1000.0;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
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
