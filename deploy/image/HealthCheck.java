import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The image's health check: exit status 0 when Warden's readiness group answers 200 UP, 1 otherwise. A Java program
 * because the image has a JRE and neither curl nor wget, and should not grow a tool just for this.
 *
 * <p>It asks {@code http://127.0.0.1:<port>/actuator/health/readiness}, the port being the management port where one
 * is set ({@code MANAGEMENT_SERVER_PORT}), else Warden's ({@code SERVER_PORT}, {@code WARDEN_PORT}, 8080).
 * {@code WARDEN_HEALTHCHECK_URL} replaces the whole address (TLS on the port, another base path). Health needs no
 * token in any profile (docs/security.md), so none is sent.
 */
public final class HealthCheck {

    private HealthCheck() {}

    public static void main(String[] args) {
        String url = url(System.getenv());
        try {
            HttpClient client = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(3))
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(5))
                    .header("Accept", "application/json")
                    .GET()
                    .build();
            HttpResponse<String> response =
                    client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() == 200 && response.body().matches("(?s)\\{\\s*\"status\"\\s*:\\s*\"UP\".*")) {
                System.exit(0);
            }
            System.err.println(url + " answered " + response.statusCode() + ": " + abbreviated(response.body()));
        } catch (IOException | IllegalArgumentException e) {
            System.err.println(url + " could not be read: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println(url + " was not answered in time");
        }
        System.exit(1);
    }

    static String url(Map<String, String> env) {
        String explicit = env.get("WARDEN_HEALTHCHECK_URL");
        if (explicit != null && !explicit.isBlank()) {
            return explicit.strip();
        }
        String port = first(env, "MANAGEMENT_SERVER_PORT", "SERVER_PORT", "WARDEN_PORT");
        return "http://127.0.0.1:" + (port == null ? "8080" : port) + "/actuator/health/readiness";
    }

    private static String first(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return value.strip();
            }
        }
        return null;
    }

    private static String abbreviated(String body) {
        return body.length() <= 200 ? body : body.substring(0, 200) + "...";
    }
}
