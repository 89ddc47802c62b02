package io.warden.audit.internal.anchoring;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.random.RandomGenerator;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;

/**
 * A time-stamp authority reached by RFC 3161 over HTTP (section 3.4): a POST of
 * {@code application/timestamp-query}, answered with {@code application/timestamp-reply}. Every request
 * carries a fresh 64-bit nonce and asks for the authority's certificate; a reply is used only when it grants
 * the request, echoes its nonce and imprint, and its token verifies against the trusted TSA certificates —
 * an answer from anyone else (a proxy, a replay) is refused. Thread-safe.
 */
public final class HttpTimeStampAuthority implements TimeStampAuthority {

    private static final String QUERY = "application/timestamp-query";
    private static final String REPLY = "application/timestamp-reply";

    private final URI url;
    private final Duration timeout;
    private final TimestampVerifier verifier;
    private final RandomGenerator nonces;
    private final HttpClient client;

    /**
     * @param nonces an unpredictable source (a {@code SecureRandom}): a guessable nonce lets an old reply be
     *               replayed
     */
    public HttpTimeStampAuthority(URI url, Duration timeout, TimestampVerifier verifier, RandomGenerator nonces) {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new IllegalArgumentException("a time-stamp authority is reached over http or https, got " + url);
        }
        this.url = url;
        this.timeout = timeout;
        this.verifier = verifier;
        this.nonces = nonces;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String name() {
        return url.toString();
    }

    @Override
    public byte[] timestamp(byte[] sha256) throws TimestampFailed {
        TimeStampRequestGenerator generator = new TimeStampRequestGenerator();
        generator.setCertReq(true);
        TimeStampRequest request =
                generator.generate(TSPAlgorithms.SHA256, sha256, BigInteger.valueOf(nonces.nextLong()));
        HttpResponse<byte[]> response;
        try {
            response = client.send(
                    HttpRequest.newBuilder(url)
                            .timeout(timeout)
                            .header("Content-Type", QUERY)
                            .header("Accept", REPLY)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(request.getEncoded()))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new TimestampFailed(url + " could not be reached: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimestampFailed("interrupted while asking " + url, e);
        }
        if (response.statusCode() != 200) {
            throw new TimestampFailed(url + " answered HTTP " + response.statusCode());
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith(REPLY)) {
            throw new TimestampFailed(
                    url + " answered " + (type.isEmpty() ? "no content type" : type) + ", not " + REPLY);
        }
        TimeStampToken token;
        try {
            TimeStampResponse reply = new TimeStampResponse(response.body());
            // the status is granted, and the token carries this request's nonce, imprint and algorithm
            reply.validate(request);
            token = reply.getTimeStampToken();
            if (token == null) {
                throw new TimestampFailed(url + " refused the request: " + reply.getStatusString());
            }
            byte[] encoded = token.getEncoded();
            var checked = verifier.checkDigest(encoded, sha256, null);
            if (checked instanceof TimestampVerifier.Invalid invalid) {
                throw new TimestampFailed(url + " answered with a token that does not verify: " + invalid.detail());
            }
            return encoded;
        } catch (TSPException | IOException | RuntimeException e) {
            throw new TimestampFailed(url + " answered with a malformed or mismatched reply: " + e.getMessage(), e);
        }
    }
}
