package io.warden.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTP client for a running Warden: tokens from its embedded OpenID provider (people through the
 * authorization-code flow with PKCE and the sign-in form, agents through client credentials) and JSON
 * calls to its API.
 */
public final class WardenClient {

    /** A response: status, body and headers. */
    public record Response(int status, String body, HttpHeaders headers) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public @Nullable String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }
    }

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    private final String base;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    public WardenClient(String base) {
        this.base = base;
    }

    public String base() {
        return base;
    }

    /** An access token for a demo person, signing in through the browser flow. Cached per username. */
    public String personToken(String username) {
        return tokens.computeIfAbsent("person:" + username, key -> signIn(username, "warden-demo"));
    }

    /** An access token for an agent by client credentials. */
    public String agentToken(String clientId, String secret) {
        return tokens.computeIfAbsent("agent:" + clientId, key -> {
            Response response = form(
                    "/oauth2/token",
                    Map.of("grant_type", "client_credentials"),
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)),
                    HttpClient.newBuilder()
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .build());
            if (response.status() != 200) {
                throw new IllegalStateException("client credentials failed: " + response);
            }
            return response.json().get("access_token").asString();
        });
    }

    /** What a sign-in through the authorization-code flow yields: the code and the token response it was exchanged for. */
    public record SignIn(String code, JsonNode tokens) {}

    /** An access token for a person, signing in through the browser flow with this password (not cached). */
    public String signIn(String username, String password) {
        return signInWithCode(username, password).tokens().get("access_token").asString();
    }

    /** A fresh sign-in through the browser flow with PKCE (never cached), keeping the code it exchanged. */
    public SignIn signInWithCode(String username, String password) {
        HttpClient browser = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        String verifier = random(48);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
        String redirect = "http://127.0.0.1/callback";
        String authorize = "/oauth2/authorize?"
                + query(Map.of(
                        "response_type",
                        "code",
                        "client_id",
                        "warden-cli",
                        "scope",
                        "openid warden.api",
                        "redirect_uri",
                        redirect,
                        "code_challenge",
                        challenge,
                        "code_challenge_method",
                        "S256",
                        "state",
                        random(8)));
        Response first =
                send(browser, request(authorize).header("Accept", "text/html").GET());
        if (first.status() != 302 || !String.valueOf(first.header("Location")).endsWith("/login")) {
            throw new IllegalStateException("authorize did not ask to sign in: " + first);
        }
        Response page = send(browser, request("/login").GET());
        Matcher csrf = CSRF.matcher(page.body());
        if (!csrf.find()) {
            throw new IllegalStateException("no CSRF token on the sign-in page");
        }
        Response login = send(
                browser,
                request("/login")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                query(Map.of("username", username, "password", password, "_csrf", csrf.group(1))))));
        if (login.status() != 302 || String.valueOf(login.header("Location")).contains("error")) {
            throw new IllegalStateException("sign-in failed for " + username + ": " + login);
        }
        Response again =
                send(browser, request(authorize).header("Accept", "text/html").GET());
        String location = String.valueOf(again.header("Location"));
        Matcher code = Pattern.compile("[?&]code=([^&]+)").matcher(location);
        if (!location.startsWith(redirect) || !code.find()) {
            throw new IllegalStateException("no authorization code for " + username + ": " + again);
        }
        String issued = URLDecoderHelper.decode(code.group(1));
        Response token = form(
                "/oauth2/token",
                Map.of(
                        "grant_type",
                        "authorization_code",
                        "client_id",
                        "warden-cli",
                        "code",
                        issued,
                        "redirect_uri",
                        redirect,
                        "code_verifier",
                        verifier),
                null,
                browser);
        if (token.status() != 200) {
            throw new IllegalStateException("code exchange failed: " + token);
        }
        return new SignIn(issued, token.json());
    }

    public Response get(String path, @Nullable String token) {
        return call("GET", path, token, null);
    }

    public Response call(String method, String path, @Nullable String token, @Nullable String json) {
        return call(method, path, token, json, Map.of());
    }

    public Response call(
            String method, String path, @Nullable String token, @Nullable String json, Map<String, String> headers) {
        HttpRequest.Builder builder = request(path).setHeader("Accept", "application/json, application/problem+json");
        if (token != null) {
            builder.setHeader("Authorization", "Bearer " + token);
        }
        headers.forEach(builder::setHeader);
        if (json != null) {
            builder.header("Content-Type", "application/json");
            builder.method(method, HttpRequest.BodyPublishers.ofString(json));
        } else {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return send(http, builder);
    }

    public Response send(HttpRequest.Builder builder) {
        return send(http, builder);
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    }

    private Response form(String path, Map<String, String> fields, @Nullable String authorization, HttpClient client) {
        HttpRequest.Builder builder = request(path)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(query(fields)));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        return send(client, builder);
    }

    private static Response send(HttpClient client, HttpRequest.Builder builder) {
        try {
            HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String query(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String random(int bytes) {
        byte[] buffer = new byte[bytes];
        new SecureRandom().nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class URLDecoderHelper {
        static String decode(String text) {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
    }
}
