package io.warden.specialist;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent's access token, by OAuth 2.0 client credentials (RFC 6749 §4.4) against Warden's {@code /oauth2/token},
 * the client authenticated with HTTP Basic (§2.3.1). The token is kept and handed out until a fifth of its lifetime
 * (at least {@link #MIN_MARGIN}) is left, then renewed before the next request, so no request leaves with a token about
 * to expire on the way. Thread-safe: the MCP client asks from its own threads.
 *
 * <p>A refusal by the token endpoint (an unknown or disabled client, a wrong secret) is a {@link Refused} carrying the
 * OAuth error code; an unreachable endpoint or a malformed answer is an {@link IllegalStateException}. Either way no
 * token is made up.
 */
public final class ClientCredentialsTokens {

    /** The least time before expiry at which a token is renewed. */
    static final Duration MIN_MARGIN = Duration.ofSeconds(5);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The token endpoint refused the credentials: {@code error} is its OAuth error code (RFC 6749 §5.2). */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String error;
        private final String description;

        Refused(String error, String description) {
            super(description);
            this.error = error;
            this.description = description;
        }

        /** What the token endpoint said, for a person. */
        public String description() {
            return description;
        }

        /** The OAuth error code, e.g. {@code invalid_client}. */
        public String error() {
            return error;
        }
    }

    private final URI tokenEndpoint;
    private final String authorization;
    private final HttpClient http;
    private final Clock clock;
    private @Nullable String token;
    private Instant renewAt = Instant.MIN;
    private int issued;

    public ClientCredentialsTokens(URI warden, String clientId, String secret, HttpClient http, Clock clock) {
        this.tokenEndpoint = warden.resolve("/oauth2/token");
        // RFC 6749 §2.3.1: the id and secret are form-urlencoded before they are joined
        this.authorization = "Basic "
                + Base64.getEncoder()
                        .encodeToString((form(clientId) + ":" + form(secret)).getBytes(StandardCharsets.UTF_8));
        this.http = http;
        this.clock = clock;
    }

    /** A valid access token: the one held, or a new one when the held one is near its expiry. */
    public synchronized String current() {
        String held = token;
        if (held == null || !clock.instant().isBefore(renewAt)) {
            held = fetch();
        }
        return held;
    }

    /** How many tokens this source has obtained. */
    public synchronized int issued() {
        return issued;
    }

    private String fetch() {
        HttpRequest request = HttpRequest.newBuilder(tokenEndpoint)
                .timeout(Duration.ofSeconds(15))
                .header("Authorization", authorization)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build();
        Instant asked = clock.instant();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("Warden's token endpoint " + tokenEndpoint + " is unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking for a token", e);
        }
        JsonNode body = parse(response);
        if (response.statusCode() != 200) {
            String error = body == null
                    ? "http-" + response.statusCode()
                    : body.path("error").asString("unknown");
            String description =
                    body == null ? "" : body.path("error_description").asString("");
            throw new Refused(
                    error,
                    "Warden's token endpoint refused the client credentials (" + response.statusCode() + " " + error
                            + (description.isEmpty() ? "" : ": " + description)
                            + "): the client may be unknown, its secret wrong, or the agent not active");
        }
        if (body == null
                || !body.path("access_token").isString()
                || !"bearer".equalsIgnoreCase(body.path("token_type").asString(""))
                || !body.path("expires_in").canConvertToLong()
                || body.path("expires_in").asLong() <= 0) {
            throw new IllegalStateException(
                    "Warden's token endpoint answered 200 without a bearer token and its lifetime (expires_in)");
        }
        Duration lifetime = Duration.ofSeconds(body.path("expires_in").asLong());
        Duration margin = lifetime.dividedBy(5).compareTo(MIN_MARGIN) < 0 ? MIN_MARGIN : lifetime.dividedBy(5);
        String fetched = body.path("access_token").asString();
        token = fetched;
        // measured from when it was asked for: the time the answer took is already spent of its lifetime
        renewAt = asked.plus(lifetime).minus(margin);
        issued++;
        return fetched;
    }

    private static @Nullable JsonNode parse(HttpResponse<String> response) {
        try {
            JsonNode node = JSON.readTree(response.body());
            return node != null && node.isObject() ? node : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
