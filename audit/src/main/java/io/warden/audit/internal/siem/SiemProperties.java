package io.warden.audit.internal.siem;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of SIEM streaming, under {@code warden.audit.siem}. Nothing streams until a sink is listed and enabled.
 *
 * @param batchSize      the most records one delivery carries
 * @param pollInterval   how long a sink that has caught up waits before it looks for new records
 * @param backoffInitial the wait after a first failed delivery; it doubles with each failure in a row ...
 * @param backoffMax     ... up to this
 * @param lease          how long an instance may stream a sink without renewing; another instance takes over after
 * @param confirmAfter   syslog only: how long a connection must stay up after a write before the write counts as
 *                       accepted (syslog has no acknowledgement; a receiver that drops the connection in that time
 *                       gets the records again)
 * @param instanceId     this instance's name in the lease table; host name and process id when not set
 * @param sinks          the receivers
 */
@ConfigurationProperties("warden.audit.siem")
public record SiemProperties(
        @DefaultValue("500") int batchSize,
        @DefaultValue("PT0.5S") Duration pollInterval,
        @DefaultValue("PT1S") Duration backoffInitial,
        @DefaultValue("PT60S") Duration backoffMax,
        @DefaultValue("PT30S") Duration lease,
        @DefaultValue("PT1S") Duration confirmAfter,
        @Nullable String instanceId,
        @DefaultValue List<Sink> sinks) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    static final int MIN_SECRET_LENGTH = 32;

    /** How a sink reaches its receiver. */
    public enum Kind {
        /** RFC 5424 over TCP, or TLS when {@code tls} is set, framed by octet counting (RFC 6587 §3.4.1). */
        SYSLOG,
        /** OTLP/HTTP logs in the JSON encoding, {@code POST {url}/v1/logs}. */
        OTLP,
        /** JSON batches, HMAC-SHA256-signed, {@code POST {url}}. */
        WEBHOOK
    }

    /** What a syslog message carries after its header. */
    public enum Format {
        JSON,
        CEF
    }

    /**
     * One receiver.
     *
     * @param name               the cursor's name: lower-case letters, digits and dashes; renaming it restarts the
     *                           stream from the first record
     * @param host               syslog: the receiver's host
     * @param port               syslog: its port
     * @param tls                syslog: TLS instead of plain TCP
     * @param trustStore         syslog over TLS: a PKCS#12 (or JKS) file of the receiver's CA; the JDK's when unset
     * @param trustStorePassword its password
     * @param format             syslog: JSON or CEF after the header
     * @param hostname           syslog: the HOSTNAME field of each message
     * @param url                OTLP: the collector's base URL ({@code /v1/logs} is appended); webhook: the URL
     * @param secret             webhook: the HMAC-SHA256 key, at least 32 characters; set it from the environment
     * @param timeout            connect and response timeout
     */
    public record Sink(
            String name,
            Kind kind,
            @DefaultValue("true") boolean enabled,
            @Nullable String host,
            @DefaultValue("0") int port,
            @DefaultValue("false") boolean tls,
            @Nullable Path trustStore,
            @Nullable String trustStorePassword,
            @DefaultValue("JSON") Format format,
            @DefaultValue("warden") String hostname,
            @Nullable URI url,
            @Nullable String secret,
            @DefaultValue("PT10S") Duration timeout) {

        /** A sink with defaults for everything its kind does not need; for code that builds settings itself. */
        public static Sink syslog(String name, String host, int port, Format format) {
            return new Sink(
                    name,
                    Kind.SYSLOG,
                    true,
                    host,
                    port,
                    false,
                    null,
                    null,
                    format,
                    "warden",
                    null,
                    null,
                    Duration.ofSeconds(10));
        }

        public static Sink syslogTls(String name, String host, int port, Format format, Path trustStore, String pw) {
            return new Sink(
                    name,
                    Kind.SYSLOG,
                    true,
                    host,
                    port,
                    true,
                    trustStore,
                    pw,
                    format,
                    "warden",
                    null,
                    null,
                    Duration.ofSeconds(10));
        }

        public static Sink otlp(String name, URI url) {
            return new Sink(
                    name,
                    Kind.OTLP,
                    true,
                    null,
                    0,
                    false,
                    null,
                    null,
                    Format.JSON,
                    "warden",
                    url,
                    null,
                    Duration.ofSeconds(10));
        }

        public static Sink webhook(String name, URI url, String secret) {
            return new Sink(
                    name,
                    Kind.WEBHOOK,
                    true,
                    null,
                    0,
                    false,
                    null,
                    null,
                    Format.JSON,
                    "warden",
                    url,
                    secret,
                    Duration.ofSeconds(10));
        }
    }

    public SiemProperties {
        if (batchSize < 1 || batchSize > 10_000) {
            throw new IllegalArgumentException("warden.audit.siem.batch-size must be 1 to 10000, got " + batchSize);
        }
        positive("poll-interval", pollInterval);
        positive("backoff-initial", backoffInitial);
        positive("backoff-max", backoffMax);
        positive("lease", lease);
        positive("confirm-after", confirmAfter);
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("warden.audit.siem.backoff-max must not be below backoff-initial");
        }
        if (lease.compareTo(Duration.ofSeconds(2)) < 0) {
            throw new IllegalArgumentException("warden.audit.siem.lease must be at least PT2S");
        }
        sinks = List.copyOf(sinks);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < sinks.size(); i++) {
            validate("warden.audit.siem.sinks[" + i + "].", sinks.get(i), names);
        }
    }

    private static void validate(String prefix, Sink sink, Set<String> names) {
        if (sink.name() == null || !NAME.matcher(sink.name()).matches()) {
            throw new IllegalArgumentException(
                    prefix + "name must be lower-case letters, digits and dashes, e.g. splunk-prod");
        }
        if (!names.add(sink.name())) {
            throw new IllegalArgumentException(prefix + "name '" + sink.name() + "' is used by another sink");
        }
        if (sink.kind() == null) {
            throw new IllegalArgumentException(prefix + "kind must be syslog, otlp or webhook");
        }
        positive(prefix + "timeout", sink.timeout());
        switch (sink.kind()) {
            case SYSLOG -> {
                if (sink.host() == null || sink.host().isBlank()) {
                    throw new IllegalArgumentException(prefix + "host is required for a syslog sink");
                }
                if (sink.port() < 1 || sink.port() > 65_535) {
                    throw new IllegalArgumentException(prefix + "port must be 1 to 65535, e.g. 6514 for TLS");
                }
                if (sink.trustStore() != null && !sink.tls()) {
                    throw new IllegalArgumentException(prefix + "trust-store is set but tls is not");
                }
                if (!sink.hostname().matches("[!-~]{1,255}")) {
                    throw new IllegalArgumentException(prefix + "hostname must be 1 to 255 printable ASCII characters");
                }
            }
            case OTLP, WEBHOOK -> {
                URI url = sink.url();
                if (url == null
                        || url.getHost() == null
                        || !("https".equals(url.getScheme()) || "http".equals(url.getScheme()))) {
                    throw new IllegalArgumentException(prefix + "url must be an http(s) URL");
                }
                if (sink.kind() == Kind.WEBHOOK
                        && (sink.secret() == null || sink.secret().length() < MIN_SECRET_LENGTH)) {
                    throw new IllegalArgumentException(prefix + "secret must be at least " + MIN_SECRET_LENGTH
                            + " characters (the webhook's HMAC-SHA256 key; set it from the environment)");
                }
            }
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(
                    (name.startsWith("warden.") ? name : "warden.audit.siem." + name) + " must be positive");
        }
    }

    /** The sinks that stream. */
    List<Sink> enabledSinks() {
        return sinks.stream().filter(Sink::enabled).toList();
    }
}
