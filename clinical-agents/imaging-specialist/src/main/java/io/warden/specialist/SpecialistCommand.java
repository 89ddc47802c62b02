package io.warden.specialist;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One question from start to end: a token by client credentials, an MCP session with Warden's {@code /mcp} that
 * carries the current token on every request (so a renewed token is used from the next request on), the
 * {@link ImagingSpecialist}'s answer printed to {@code out}, the session closed. Returns the exit status of
 * {@link Outcome}, or {@link Outcome#FAILED} when no session could be opened.
 */
public final class SpecialistCommand {

    /** The version the specialist states as its MCP client name. */
    static final String VERSION = "0.1.0";

    private static final JsonMapper JSON = JsonMapper.builder().build();

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
            outcome = new ImagingSpecialist(
                            mcp,
                            settings,
                            (step, summary) -> {
                                out.println("  step " + step + ": " + summary);
                                listener.completed(step, summary);
                            },
                            status -> problem(http, settings, tokens))
                    .answer(traceId);
        }
        out.print(outcome.render());
        return outcome;
    }

    /**
     * Warden's problem document for the agent's requests to {@code /mcp} now: a bare GET carries the same token and meets
     * the same checks (a kill switch covering the agent, a token no longer accepted) before any MCP handling.
     */
    private static ImagingSpecialist.RefusalProbe.@Nullable Problem problem(
            HttpClient http, SpecialistSettings settings, ClientCredentialsTokens tokens) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(settings.warden().resolve("/mcp"))
                            .timeout(Duration.ofSeconds(10))
                            .header("Authorization", "Bearer " + tokens.current())
                            .header("Accept", "application/problem+json, application/json")
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 401 && response.statusCode() != 403) {
                return null;
            }
            JsonNode problem = JSON.readTree(response.body());
            String code = problem.path("code").asString("");
            if (!code.isEmpty()) {
                return new ImagingSpecialist.RefusalProbe.Problem(
                        code,
                        problem.path("detail").asString(problem.path("title").asString("")));
            }
            return response.headers()
                    .firstValue("WWW-Authenticate")
                    .map(challenge -> new ImagingSpecialist.RefusalProbe.Problem("invalid_token", challenge))
                    .orElse(null);
        } catch (ClientCredentialsTokens.Refused e) {
            return new ImagingSpecialist.RefusalProbe.Problem(e.error(), e.description());
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
