package io.warden.specialist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The token source against a local token endpoint speaking RFC 6749 §4.4 and §5.2: the client authenticated with HTTP
 * Basic, the token kept until a fifth of its lifetime is left and renewed then, refusals carried with their OAuth error
 * code, malformed answers refused.
 */
class ClientCredentialsTokensTests {

    private HttpServer server;
    private URI base;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer = "";
    private int served;
    private final MovingClock clock = new MovingClock(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/oauth2/token", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String body = answer.isEmpty()
                    ? "{\"access_token\":\"token-" + (++served) + "\",\"token_type\":\"Bearer\",\"expires_in\":300}"
                    : answer;
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        base = URI.create("http://localhost:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ClientCredentialsTokens tokens(String secret) {
        return new ClientCredentialsTokens(base, "agent-1", secret, HttpClient.newHttpClient(), clock);
    }

    @Test
    void asksWithClientCredentialsAndBasicAuthenticationFormEncoded() {
        ClientCredentialsTokens tokens = tokens("s3cr:et+");

        assertThat(tokens.current()).isEqualTo("token-1");
        assertThat(bodies).containsExactly("grant_type=client_credentials");
        // RFC 6749 §2.3.1: "s3cr:et+" is form-encoded to "s3cr%3Aet%2B" before it is joined with the id
        assertThat(authorizations)
                .containsExactly("Basic "
                        + Base64.getEncoder().encodeToString("agent-1:s3cr%3Aet%2B".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void keepsTheTokenUntilAFifthOfItsLifetimeIsLeftThenRenewsIt() {
        ClientCredentialsTokens tokens = tokens("secret");
        assertThat(tokens.current()).isEqualTo("token-1");

        clock.move(Duration.ofSeconds(239));
        assertThat(tokens.current()).as("240 s of 300 not yet spent").isEqualTo("token-1");
        clock.move(Duration.ofSeconds(1));
        assertThat(tokens.current())
                .as("a fifth (60 s) left: renewed before it expires")
                .isEqualTo("token-2");
        assertThat(tokens.issued()).isEqualTo(2);
    }

    @Test
    void aRefusalCarriesTheOAuthErrorAndNoTokenIsMadeUp() {
        status = 401;
        answer = "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed\"}";
        ClientCredentialsTokens tokens = tokens("wrong");

        assertThatThrownBy(tokens::current)
                .isInstanceOfSatisfying(
                        ClientCredentialsTokens.Refused.class,
                        refused -> assertThat(refused.error()).isEqualTo("invalid_client"))
                .hasMessageContaining("401 invalid_client: Client authentication failed");
    }

    @Test
    void anAnswerWithoutABearerTokenOrItsLifetimeIsRefused() {
        ClientCredentialsTokens tokens = tokens("secret");
        for (String malformed : List.of(
                "{\"access_token\":\"t\",\"token_type\":\"Bearer\"}",
                "{\"access_token\":\"t\",\"token_type\":\"mac\",\"expires_in\":300}",
                "{\"token_type\":\"Bearer\",\"expires_in\":300}",
                "not json")) {
            answer = malformed;
            assertThatThrownBy(tokens::current).as(malformed).isInstanceOf(IllegalStateException.class);
        }
    }

    /** A clock the test moves. */
    static final class MovingClock extends Clock {
        private Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        void move(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
