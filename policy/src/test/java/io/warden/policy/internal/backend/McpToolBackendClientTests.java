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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
        Tomcat.addServlet(ctx, "mcp", new Recording(transport)).setAsyncSupported(true);
        ctx.addServletMappingDecoded("/mcp", "mcp");
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
