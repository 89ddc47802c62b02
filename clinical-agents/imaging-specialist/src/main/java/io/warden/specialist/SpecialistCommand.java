package io.warden.specialist;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * One question from start to end: a token by client credentials, an MCP session with Warden's {@code /mcp} that
 * carries the current token on every request (so a renewed token is used from the next request on), the
 * {@link ImagingSpecialist}'s answer printed to {@code out}, the session closed. Returns the exit status of
 * {@link Outcome}, or {@link Outcome#FAILED} when no session could be opened.
 */
public final class SpecialistCommand {

    /** The version the specialist states as its MCP client name. */
    static final String VERSION = "0.1.0";

    private SpecialistCommand() {}

    /**
     * Asks the settings' question and prints the outcome to {@code out}; the trace id comes from {@code traceIds}, and
     * {@code listener} hears of each step Warden answered.
     */
    public static Outcome run(
            SpecialistSettings settings,
            PrintStream out,
            ImagingSpecialist.StepListener listener,
            Clock clock,
            Supplier<String> traceIds) {
        String traceId = traceIds.get();
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        ClientCredentialsTokens tokens =
                new ClientCredentialsTokens(settings.warden(), settings.clientId(), settings.secret(), http, clock);
        Outcome outcome;
        try {
            // fail before the session when the credentials are refused: the clearest place to say so
            tokens.current();
        } catch (ClientCredentialsTokens.Refused e) {
            outcome = new Outcome.Refused(
                    traceId,
                    "token",
                    "/oauth2/token",
                    List.of(ImagingSpecialist.CREDENTIALS_REFUSED, e.error()),
                    e.description(),
                    List.of());
            out.print(outcome.render());
            return outcome;
        } catch (IllegalStateException e) {
            outcome = new Outcome.Failed(traceId, "token", String.valueOf(e.getMessage()), List.of());
            out.print(outcome.render());
            return outcome;
        }
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        settings.warden().toString())
                .endpoint("/mcp")
                .connectTimeout(Duration.ofSeconds(10))
                .httpRequestCustomizer((request, method, uri, body, context) ->
                        request.header("Authorization", "Bearer " + tokens.current()))
                .build();
        try (McpSyncClient mcp = McpClient.sync(transport)
                .clientInfo(new McpSchema.Implementation("warden-imaging-specialist", VERSION))
                .requestTimeout(settings.timeout())
                .toolsChangeConsumer(tools -> out.println("  (Warden changed this agent's tools: now "
                        + String.join(
                                ", ", tools.stream().map(Tool::name).sorted().toList())
                        + "; each call is still decided by Warden)"))
                .build()) {
            try {
                mcp.initialize();
            } catch (RuntimeException e) {
                outcome = new Outcome.Failed(
                        traceId,
                        "initialize",
                        "no MCP session with " + settings.warden() + "/mcp: " + e.getMessage(),
                        List.of());
                out.print(outcome.render());
                return outcome;
            }
            outcome = new ImagingSpecialist(mcp, settings, (step, summary) -> {
                        out.println("  step " + step + ": " + summary);
                        listener.completed(step, summary);
                    })
                    .answer(traceId);
        }
        out.print(outcome.render());
        return outcome;
    }
}
