package io.warden.policy.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.warden.registry.McpServerView;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.startup.Tomcat;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The MCP upstream client against an upstream built with the MCP Java SDK's server, on an embedded Tomcat. */
class McpToolBackendClientTests {

    private static Tomcat tomcat;
    private static int port;
    private static final List<String> BODIES = new CopyOnWriteArrayList<>();
    private static final List<@Nullable Object> META = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws LifecycleException {
        var transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp")
                .build();
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("upstream", "1")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .tools(
                        tool("echo", "Echoes text", (req) -> {
                            META.add(req.meta() == null ? null : req.meta().get("traceId"));
                            return CallToolResult.builder()
                                    .addTextContent("echo:" + req.arguments().get("text"))
                                    .structuredContent(Map.of(
                                            "text",
                                            String.valueOf(req.arguments().get("text"))))
                                    .build();
                        }),
                        tool(
                                "fail",
                                "Always fails",
                                req -> CallToolResult.builder()
                                        .isError(true)
                                        .addTextContent("it broke")
                                        .build()),
                        tool("slow", "Takes its time", req -> {
                            try {
                                Thread.sleep(5_000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return CallToolResult.builder()
                                    .addTextContent("late")
                                    .build();
                        }))
                .build();
        tomcat = new Tomcat();
        tomcat.setPort(0);
        tomcat.setBaseDir(System.getProperty("java.io.tmpdir") + "/warden-mcp-upstream-"
                + ProcessHandle.current().pid());
        Context ctx = tomcat.addContext("", null);
        Recording recording = new Recording(transport);
        Tomcat.addServlet(ctx, "mcp", recording).setAsyncSupported(true);
        ctx.addServletMappingDecoded("/mcp", "mcp");
        // the same upstream behind a bearer check, and the OAuth 2.0 token endpoint that issues its tokens
        Tomcat.addServlet(ctx, "secured", new Secured(recording)).setAsyncSupported(true);
        ctx.addServletMappingDecoded("/secured/mcp", "secured");
        Tomcat.addServlet(ctx, "token", new TokenEndpoint());
        ctx.addServletMappingDecoded("/token", "token");
        tomcat.getConnector();
        tomcat.start();
        port = tomcat.getConnector().getLocalPort();
        assertThat(server).isNotNull();
    }

    @AfterAll
    static void stop() throws LifecycleException {
        tomcat.stop();
        tomcat.destroy();
    }

    private static McpServerFeatures.SyncToolSpecification tool(
            String name, String description, Function<McpSchema.CallToolRequest, CallToolResult> f) {
        return McpServerFeatures.SyncToolSpecification.builder()
                .tool(Tool.builder(name)
                        .description(description)
                        .inputSchema(Map.of("type", "object", "properties", Map.of("text", Map.of("type", "string"))))
                        .build())
                .callHandler((exchange, req) -> f.apply(req))
                .build();
    }

    private final McpServerView upstream = new McpServerView(
            "upstream",
            "Upstream",
            "http://localhost:" + port + "/mcp",
            McpServerView.UpstreamAuth.none(),
            false,
            "admin",
            Instant.EPOCH,
            Instant.EPOCH,
            1);

    private final McpToolBackendClient client = new McpToolBackendClient(
            key -> key.equals("upstream") ? Optional.of(upstream) : Optional.empty(),
            Tools.localGuard(),
            BackendSecrets.none(),
            JsonMapper.builder().build(),
            Clock.systemUTC());

    private static ToolView mcp(String upstreamTool) {
        return Tools.tool("t-" + upstreamTool, new ToolBackend.Mcp("upstream", upstreamTool, false), "");
    }

    @Test
    void listsTheUpstreamTools() throws Exception {
        var tools = client.listTools("upstream", Duration.ofSeconds(10));
        assertThat(tools)
                .extracting(McpToolBackendClient.UpstreamTool::name)
                .containsExactlyInAnyOrder("echo", "fail", "slow");
        assertThat(tools).filteredOn(t -> t.name().equals("echo")).first().satisfies(t -> {
            assertThat(t.description()).isEqualTo("Echoes text");
            assertThat(t.inputSchema()).containsEntry("type", "object");
        });
    }

    @Test
    void callsAToolWithItsArgumentsAndTheTraceId() throws Exception {
        META.clear();
        var answer = client.call(mcp("echo"), Map.of("text", "hi"), Duration.ofSeconds(10), "trace-7");
        assertThat(answer.toolError()).isFalse();
        assertThat(answer.content()).containsExactly(Map.of("type", "text", "text", "echo:hi"));
        assertThat(answer.structured()).containsEntry("text", "hi");
        assertThat(answer.upstream()).isEqualTo("upstream");
        assertThat(answer.resultBytes()).isPositive();
        assertThat(META).containsExactly("trace-7");
    }

    @Test
    void anUpstreamToolErrorIsAnAnswerMarkedAsError() throws Exception {
        var answer = client.call(mcp("fail"), Map.of(), Duration.ofSeconds(10), null);
        assertThat(answer.toolError()).isTrue();
        assertThat(answer.content().getFirst()).containsEntry("text", "it broke");
    }

    @Test
    void anUnknownUpstreamToolFails() {
        assertThatThrownBy(() -> client.call(mcp("nope"), Map.of(), Duration.ofSeconds(10), null))
                .isInstanceOf(BackendFailure.class);
    }

    @Test
    void interruptingASlowCallTellsTheUpstreamToCancelThatRequest() throws Exception {
        BODIES.clear();
        CompletableFuture<BackendFailure> failure = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                client.call(mcp("slow"), Map.of(), Duration.ofSeconds(30), null);
            } catch (BackendFailure f) {
                failure.complete(f);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> BODIES.stream().anyMatch(b -> b.contains("\"slow\"")));
        caller.interrupt();
        assertThat(failure.get(5, TimeUnit.SECONDS).code()).isEqualTo(BackendFailure.CANCELLED);
        String call =
                BODIES.stream().filter(b -> b.contains("\"slow\"")).findFirst().orElseThrow();
        long id = JsonMapper.builder().build().readTree(call).get("id").asLong();
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(BODIES)
                        .anySatisfy(b -> assertThat(b)
                                .contains("notifications/cancelled")
                                .contains("\"requestId\":" + id)));
    }

    @Test
    void aDeadlineShorterThanTheToolEndsTheCallAsATimeout() {
        assertThatThrownBy(() -> client.call(mcp("slow"), Map.of(), Duration.ofMillis(500), null))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.UPSTREAM_TIMEOUT));
    }

    @Test
    void aServerOffTheAllowlistIsRefused() {
        var refusing = new McpToolBackendClient(
                key -> Optional.of(upstream),
                new EgressGuard(EgressPolicy.denyAll()),
                BackendSecrets.none(),
                JsonMapper.builder().build(),
                Clock.systemUTC());
        assertThatThrownBy(() -> refusing.call(mcp("echo"), Map.of(), Duration.ofSeconds(5), null))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.EGRESS_REFUSED));
    }

    @Test
    void aHostTakenOffTheAllowlistStopsTheCallsOfAnOpenSession() throws Exception {
        AtomicBoolean listed = new AtomicBoolean(true);
        var switching = new McpToolBackendClient(
                key -> Optional.of(upstream),
                new EgressGuard(
                        host -> listed.get() ? Optional.of(new EgressPolicy.Entry(host, true)) : Optional.empty()),
                BackendSecrets.none(),
                JsonMapper.builder().build(),
                Clock.systemUTC());
        assertThat(switching
                        .call(mcp("echo"), Map.of("text", "a"), Duration.ofSeconds(10), null)
                        .toolError())
                .isFalse();
        listed.set(false);
        assertThatThrownBy(() -> switching.call(mcp("echo"), Map.of("text", "b"), Duration.ofSeconds(10), null))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.EGRESS_REFUSED));
    }

    @Test
    void aRegistrationThatCannotBeReadFailsTheCallClosed() {
        var broken = new McpToolBackendClient(
                key -> {
                    throw new IllegalStateException("database down");
                },
                Tools.localGuard(),
                BackendSecrets.none(),
                JsonMapper.builder().build(),
                Clock.systemUTC());
        assertThatThrownBy(() -> broken.listTools("upstream", Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.UPSTREAM_UNAVAILABLE));
    }

    /** The OAuth client Warden is registered as at the upstream's token endpoint, and its secret. */
    private static final String OAUTH_CLIENT = "warden-upstream";

    private static final String OAUTH_SECRET = "s3cret/+&=";
    private static final List<String> ISSUED = new CopyOnWriteArrayList<>();
    private static final List<String> TOKEN_REQUESTS = new CopyOnWriteArrayList<>();
    private static final List<String> SECURED_AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    private static final AtomicInteger TOKEN_LIFETIME = new AtomicInteger(3600);

    private static McpToolBackendClient oauthClient(String secret, int version) {
        McpServerView secured = new McpServerView(
                "secured",
                "Secured upstream",
                "http://localhost:" + port + "/secured/mcp",
                new McpServerView.UpstreamAuth(
                        McpServerView.UpstreamAuth.Kind.CLIENT_CREDENTIALS,
                        "upstream-client-secret",
                        "http://localhost:" + port + "/token",
                        OAUTH_CLIENT,
                        "tools.read"),
                false,
                "admin",
                Instant.EPOCH,
                Instant.EPOCH,
                version);
        return new McpToolBackendClient(
                key -> key.equals("secured") ? Optional.of(secured) : Optional.empty(),
                Tools.localGuard(),
                name -> name.equals("upstream-client-secret") ? Optional.of(secret) : Optional.empty(),
                JsonMapper.builder().build(),
                Clock.systemUTC());
    }

    private static ToolView securedTool() {
        return Tools.tool("t-secured-echo", new ToolBackend.Mcp("secured", "echo", false), "");
    }

    @Test
    void aClientCredentialsTokenIsFetchedOnceAndSentWithEveryRequest() throws Exception {
        ISSUED.clear();
        TOKEN_REQUESTS.clear();
        SECURED_AUTHORIZATIONS.clear();
        TOKEN_LIFETIME.set(3600);
        McpToolBackendClient client = oauthClient(OAUTH_SECRET, 1);

        assertThat(client.call(securedTool(), Map.of("text", "one"), Duration.ofSeconds(10), null)
                        .structured())
                .containsEntry("text", "one");
        assertThat(client.call(securedTool(), Map.of("text", "two"), Duration.ofSeconds(10), null)
                        .structured())
                .containsEntry("text", "two");

        assertThat(TOKEN_REQUESTS).as("one token for both calls").hasSize(1);
        assertThat(TOKEN_REQUESTS.getFirst())
                .contains("grant_type=client_credentials")
                .contains("scope=tools.read");
        assertThat(SECURED_AUTHORIZATIONS)
                .as("initialize, initialized, two calls: all with the issued token")
                .hasSizeGreaterThanOrEqualTo(4)
                .containsOnly("Bearer " + ISSUED.getFirst());
    }

    @Test
    void aTokenTheUpstreamNoLongerAcceptsIsReplacedOnce() throws Exception {
        ISSUED.clear();
        TOKEN_REQUESTS.clear();
        TOKEN_LIFETIME.set(3600);
        McpToolBackendClient client = oauthClient(OAUTH_SECRET, 2);
        client.call(securedTool(), Map.of("text", "before"), Duration.ofSeconds(10), null);
        String first = ISSUED.getFirst();

        ISSUED.clear(); // the upstream revokes every token it issued
        SECURED_AUTHORIZATIONS.clear();
        var answer = client.call(securedTool(), Map.of("text", "after"), Duration.ofSeconds(10), null);

        assertThat(answer.structured()).containsEntry("text", "after");
        assertThat(TOKEN_REQUESTS).hasSize(2);
        assertThat(SECURED_AUTHORIZATIONS).contains("Bearer " + first).last().isEqualTo("Bearer " + ISSUED.getFirst());
    }

    @Test
    void aTokenIsRenewedBeforeItExpires() throws Exception {
        ISSUED.clear();
        TOKEN_REQUESTS.clear();
        TOKEN_LIFETIME.set(5); // shorter than the renewal margin: every call asks for a fresh token
        McpToolBackendClient client = oauthClient(OAUTH_SECRET, 3);
        client.call(securedTool(), Map.of("text", "a"), Duration.ofSeconds(10), null);
        client.call(securedTool(), Map.of("text", "b"), Duration.ofSeconds(10), null);
        assertThat(TOKEN_REQUESTS).hasSizeGreaterThanOrEqualTo(2);
        TOKEN_LIFETIME.set(3600);
    }

    @Test
    void aClientSecretTheTokenEndpointRefusesFailsTheCallClosed() {
        ISSUED.clear();
        TOKEN_REQUESTS.clear();
        SECURED_AUTHORIZATIONS.clear();
        McpToolBackendClient client = oauthClient("not-the-secret", 4);
        assertThatThrownBy(() -> client.call(securedTool(), Map.of("text", "x"), Duration.ofSeconds(10), null))
                .isInstanceOfSatisfying(BackendFailure.class, f -> {
                    assertThat(f.code()).isEqualTo(BackendFailure.UPSTREAM_UNAVAILABLE);
                    assertThat(f.getMessage()).contains("token endpoint answered 401");
                });
        assertThat(SECURED_AUTHORIZATIONS).as("nothing reached the upstream").isEmpty();
    }

    /**
     * An OAuth 2.0 token endpoint (RFC 6749 §4.4, client authentication by HTTP Basic with form-encoded id and
     * secret, §2.3.1): issues opaque tokens to the one client it knows.
     */
    static final class TokenEndpoint extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String form = new String(req.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            TOKEN_REQUESTS.add(form);
            String expected = "Basic "
                    + Base64.getEncoder()
                            .encodeToString((URLEncoder.encode(OAUTH_CLIENT, StandardCharsets.UTF_8) + ":"
                                            + URLEncoder.encode(OAUTH_SECRET, StandardCharsets.UTF_8))
                                    .getBytes(StandardCharsets.UTF_8));
            resp.setContentType("application/json");
            if (!expected.equals(req.getHeader("Authorization"))) {
                resp.setStatus(401);
                resp.getWriter().write("{\"error\":\"invalid_client\"}");
                return;
            }
            if (!form.contains("grant_type=client_credentials")) {
                resp.setStatus(400);
                resp.getWriter().write("{\"error\":\"unsupported_grant_type\"}");
                return;
            }
            String token = "tok-" + UUID.randomUUID();
            ISSUED.add(token);
            resp.getWriter()
                    .write("{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":"
                            + TOKEN_LIFETIME.get() + "}");
        }
    }

    /** The upstream behind a bearer check: only a token the endpoint issued and has not revoked passes. */
    static final class Secured extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient HttpServlet delegate;

        Secured(HttpServlet delegate) {
            this.delegate = delegate;
        }

        @Override
        public void init(ServletConfig config) throws ServletException {
            super.init(config);
            if (delegate.getServletConfig() == null) { // the upstream's own mapping may not have been used yet
                delegate.init(config);
            }
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
            String authorization = req.getHeader("Authorization");
            SECURED_AUTHORIZATIONS.add(String.valueOf(authorization));
            if (authorization == null
                    || !authorization.startsWith("Bearer ")
                    || !ISSUED.contains(authorization.substring(7))) {
                resp.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                resp.setStatus(401);
                return;
            }
            delegate.service(req, resp);
        }
    }

    /** Records every POST body, then hands the request on to the SDK's servlet. */
    static final class Recording extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient HttpServlet delegate;

        Recording(HttpServlet delegate) {
            this.delegate = delegate;
        }

        @Override
        public void init(ServletConfig config) throws ServletException {
            super.init(config);
            delegate.init(config);
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
            if (!req.getMethod().equals("POST")) {
                delegate.service(req, resp);
                return;
            }
            byte[] body = req.getInputStream().readAllBytes();
            BODIES.add(new String(body, StandardCharsets.UTF_8));
            delegate.service(new Replayed(req, body), resp);
        }
    }

    static final class Replayed extends HttpServletRequestWrapper {
        private final byte[] body;

        Replayed(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            var in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException();
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }
    }
}
