package io.warden.audit.internal.siem;

import io.warden.audit.AuditRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/** The HTTP receivers: an OTLP/HTTP logs collector and an HMAC-signed webhook. */
final class HttpSinks {

    /** The webhook's signature header: {@code v1=} and the lower-case hex HMAC-SHA256. */
    static final String SIGNATURE_HEADER = "X-Warden-Signature";
    /** Unix seconds when the delivery was signed; part of what is signed, so a receiver can refuse old replays. */
    static final String TIMESTAMP_HEADER = "X-Warden-Timestamp";

    private static final Pattern REJECTED = Pattern.compile("\"rejectedLogRecords\"\\s*:\\s*\"?([1-9][0-9]*)");

    private HttpSinks() {}

    /** OTLP/HTTP in the JSON encoding, {@code POST {url}/v1/logs}; accepted on 2xx without rejected records. */
    static SiemSink otlp(SiemProperties.Sink settings) {
        URI endpoint = logsEndpoint(settings.url());
        HttpClient client = client(settings);
        return new SiemSink() {
            @Override
            public long deliver(List<AuditRecord> records) throws IOException {
                if (records.isEmpty()) {
                    return 0;
                }
                HttpRequest request = HttpRequest.newBuilder(endpoint)
                        .timeout(settings.timeout())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(SiemMessages.otlp(records), StandardCharsets.UTF_8))
                        .build();
                HttpResponse<String> response = send(client, request);
                if (response.statusCode() / 100 != 2) {
                    throw new SiemDeliveryFailed("the OTLP collector answered " + response.statusCode());
                }
                // a partial success names records the collector dropped: send the whole batch again
                if (REJECTED.matcher(response.body()).find()) {
                    throw new SiemDeliveryFailed("the OTLP collector rejected some log records");
                }
                return records.getLast().sequence();
            }

            @Override
            public void close() {
                // each delivery is one request; nothing is held between them
            }
        };
    }

    /**
     * JSON batches signed with HMAC-SHA256 over {@code timestamp + "." + body}: the signature in
     * {@value #SIGNATURE_HEADER} as {@code v1=<hex>}, the timestamp in {@value #TIMESTAMP_HEADER}. Accepted on 2xx.
     */
    static SiemSink webhook(SiemProperties.Sink settings, Clock clock) {
        URI endpoint = settings.url();
        String secret = settings.secret();
        if (endpoint == null || secret == null) {
            throw new IllegalStateException("webhook sink " + settings.name() + " needs a url and a secret");
        }
        HttpClient client = client(settings);
        SecretKeySpec key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        return new SiemSink() {
            @Override
            public long deliver(List<AuditRecord> records) throws IOException {
                if (records.isEmpty()) {
                    return 0;
                }
                String body = SiemMessages.webhook(records);
                String timestamp = Long.toString(clock.instant().getEpochSecond());
                HttpRequest request = HttpRequest.newBuilder(endpoint)
                        .timeout(settings.timeout())
                        .header("Content-Type", "application/json")
                        .header(TIMESTAMP_HEADER, timestamp)
                        .header(SIGNATURE_HEADER, "v1=" + sign(key, timestamp, body))
                        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                        .build();
                HttpResponse<String> response = send(client, request);
                if (response.statusCode() / 100 != 2) {
                    throw new SiemDeliveryFailed("the webhook answered " + response.statusCode());
                }
                return records.getLast().sequence();
            }

            @Override
            public void close() {
                // each delivery is one request; nothing is held between them
            }
        };
    }

    /** The webhook signature a receiver recomputes: hex HMAC-SHA256 of {@code timestamp + "." + body}. */
    static String sign(SecretKeySpec key, String timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    static URI logsEndpoint(@Nullable URI base) {
        if (base == null) {
            throw new IllegalStateException("an OTLP sink needs a url");
        }
        String text = base.toString();
        return URI.create((text.endsWith("/") ? text.substring(0, text.length() - 1) : text) + "/v1/logs");
    }

    private static HttpClient client(SiemProperties.Sink settings) {
        return HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) throws IOException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while delivering to " + request.uri(), e);
        }
    }
}
