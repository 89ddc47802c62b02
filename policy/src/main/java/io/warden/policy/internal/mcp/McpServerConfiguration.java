package io.warden.policy.internal.mcp;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.warden.policy.ToolGateway;
import java.util.concurrent.ThreadFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the MCP server at {@code /mcp} ({@code warden.mcp.*}, see {@link McpProperties}): the SDK's stateful
 * Streamable HTTP transport inside {@link McpEndpoint}, registered as a servlet (Spring Security's filters run
 * first), and a server offering protocol 2025-11-25 and 2025-06-18 whose tools are {@link GovernedTools}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(McpProperties.class)
class McpServerConfiguration {

    static final String PATH = "/mcp";

    /**
     * The SDK's transport, held in a record: a servlet bean of its own would be registered by Spring Boot at a path
     * of its own, beside {@link McpEndpoint} and without its checks.
     */
    record SdkTransport(HttpServletStreamableServerTransportProvider provider) {}

    /** The thread name of the SDK transport's idle-session sweeper. */
    private static final String SWEEPER = "streamable-http-server-transport-session-sweeper";

    /**
     * The SDK transport sweeps idle sessions on a Reactor single scheduler of its own, made with a non-daemon thread
     * that closing the transport does not stop: the process would never exit after Warden shut down. Reactor makes that
     * thread through its scheduler factory; this one makes the sweeper's thread a daemon and leaves every other
     * scheduler as it was.
     */
    static void daemonSessionSweeper() {
        Schedulers.setFactory(new Schedulers.Factory() {
            @Override
            public Scheduler newSingle(ThreadFactory threads) {
                return Schedulers.Factory.super.newSingle(runnable -> {
                    Thread thread = threads.newThread(runnable);
                    if (thread.getName().startsWith(SWEEPER)) {
                        thread.setDaemon(true);
                    }
                    return thread;
                });
            }
        });
    }

    @Bean
    SdkTransport mcpTransport(McpProperties settings, GovernedTools tools) {
        daemonSessionSweeper();
        return new SdkTransport(HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint(PATH)
                .contextExtractor(tools::context)
                .securityValidator(DefaultServerTransportSecurityValidator.builder()
                        .allowedOrigins(settings.allowedOrigins())
                        .build())
                .keepAliveInterval(settings.keepAlive())
                .sessionSweepInterval(settings.sessionIdle())
                .maxRequestSize(settings.maxRequestBytes())
                .build());
    }

    @Bean
    Cancellations mcpCancellations() {
        return new Cancellations();
    }

    @Bean
    ListedTools mcpListedTools(McpProperties settings) {
        return new ListedTools(settings.sessionIdle());
    }

    @Bean
    GovernedTools mcpTools(ToolGateway gateway, Cancellations cancellations, ListedTools listed) {
        return new GovernedTools(gateway, cancellations, listed, McpJsonDefaults.getMapper());
    }

    @Bean(destroyMethod = "close")
    McpSyncServer mcpServer(SdkTransport transport, GovernedTools tools, McpProperties settings) {
        McpJsonMapper json = McpJsonDefaults.getMapper();
        McpSyncServer server = McpServer.sync(new VersionLimitedTransport(transport.provider()))
                .serverInfo("warden", settings.serverVersion())
                .instructions("Warden governs these tools: each call is decided on a data scope and a purpose of use "
                        + "and recorded. State the purpose in _meta[\"io.warden/purposeOfUse\"] (an HL7 v3 "
                        + "PurposeOfUse code such as TREAT) and, where a tool reads several data scopes, the "
                        + "dataset in _meta[\"io.warden/dataset\"].")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(true).build())
                .jsonMapper(json)
                .addToolFilter(tools::visible)
                // the gateway validates and records every call, malformed ones included
                .validateToolInputs(false)
                // the handler runs on the request's own thread (the transport waits for it there anyway): no hand-off
                // to a Reactor pool per call, and a cancellation interrupts that thread (Cancellations)
                .immediateExecution(true)
                .build();
        tools.attach(server);
        return server;
    }

    @Bean(destroyMethod = "close")
    ToolListNotifier mcpToolListNotifier(
            SdkTransport transport, ToolGateway gateway, ListedTools listed, McpProperties settings) {
        ToolListNotifier notifier =
                new ToolListNotifier(transport.provider(), listed, gateway, settings.listChangedDelay());
        gateway.onToolsChanged(notifier::changed);
        return notifier;
    }

    @Bean
    ServletRegistrationBean<McpEndpoint> mcpServlet(
            SdkTransport transport,
            Cancellations cancellations,
            ListedTools listed,
            McpProperties settings,
            McpSyncServer server,
            JsonMapper json) {
        McpEndpoint endpoint = new McpEndpoint(
                transport.provider(), cancellations, listed, json, settings.maxRequestBytes(), settings.sessionIdle());
        ServletRegistrationBean<McpEndpoint> registration = new ServletRegistrationBean<>(endpoint, PATH);
        registration.setName("mcp");
        registration.setAsyncSupported(true); // the event streams
        registration.setLoadOnStartup(1);
        return registration;
    }
}
