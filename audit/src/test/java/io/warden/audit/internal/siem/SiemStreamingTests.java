package io.warden.audit.internal.siem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warden.audit.internal.TrailFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.LongStream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocketFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The streamers against real PostgreSQL and real receivers on loopback: syslog over TCP and TLS, an OTLP/HTTP
 * collector, a webhook that verifies the HMAC, receivers that fail and recover, restarts and two instances.
 */
class SiemStreamingTests {

    static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    TrailFixture trail;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void start() {
        trail = new TrailFixture(dir.resolve("keys"));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable each : closing.reversed()) {
            each.close();
        }
        trail.close();
    }

    static SiemProperties properties(SiemProperties.Sink... sinks) {
        return new SiemProperties(
                50,
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                Duration.ofMillis(400),
                Duration.ofSeconds(2),
                Duration.ofMillis(200),
                null,
                List.of(sinks));
    }

    SiemStreamer streamer(SiemProperties.Sink sink, String holder) {
        SiemStreamer streamer =
                SiemStreamer.create(trail.dataSource(), properties(sink), sink, holder, Clock.systemUTC(), meters);
        closing.add(streamer);
        streamer.start();
        return streamer;
    }

    <T extends AutoCloseable> T closed(T resource) {
        closing.add(resource);
        return resource;
    }

    static List<Long> oneTo(long last) {
        return LongStream.rangeClosed(1, last).boxed().toList();
    }

    void awaitAll(Received received, long last) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> received.last() == last);
        assertThat(received.gaps()).isEmpty();
        assertThat(received.sequences()).isEqualTo(oneTo(last));
    }

    long cursor(SiemStreamer streamer, long expected) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> streamer.cursor() == expected);
        return streamer.cursor();
    }

    @Test
    void syslogOverTcpDeliversEverySequenceInOrderAsJson() throws Exception {
        SyslogReceiver receiver = closed(new SyslogReceiver(null));
        trail.append(120);
        SiemStreamer streamer = streamer(
                SiemProperties.Sink.syslog("siem-tcp", "127.0.0.1", receiver.port(), SiemProperties.Format.JSON), "a");

        awaitAll(receiver.received, 120);
        assertThat(cursor(streamer, 120)).isEqualTo(120);
        String first = receiver.received.messages().getFirst();
        var frame = SyslogReceiver.FRAME.matcher(first);
        assertThat(frame.matches()).isTrue();
        assertThat(frame.group(1))
                .as("facility audit (13), severity informational")
                .isEqualTo("110");
        assertThat(frame.group(5)).isEqualTo("-");
        assertThat(frame.group(6)).isEqualTo("agent.status_changed");
        JsonNode payload = JSON.readTree(frame.group(8));
        assertThat(payload.get("sequence").asLong()).isEqualTo(1);
        assertThat(payload.get("actor").get("id").asString()).isEqualTo("person-1");
        assertThat(payload.get("requestDigest").asString()).isEqualTo("a".repeat(64));
        assertThat(streamer.lagEvents()).isZero();
    }

    @Test
    void syslogCarriesCefWithTheSequenceAsExternalId() throws Exception {
        SyslogReceiver receiver = closed(new SyslogReceiver(null));
        trail.append(5);
        streamer(SiemProperties.Sink.syslog("siem-cef", "127.0.0.1", receiver.port(), SiemProperties.Format.CEF), "a");

        awaitAll(receiver.received, 5);
        var frame = SyslogReceiver.FRAME.matcher(receiver.received.messages().get(4));
        assertThat(frame.matches()).isTrue();
        assertThat(frame.group(1)).as("a denial is a notice").isEqualTo("109");
        assertThat(frame.group(8))
                .startsWith("CEF:0|Warden|Warden|1|agent.status_changed|agent.status_changed DENY|5|externalId=5 ")
                .contains("cs4Label=reasons cs4=KILL_SWITCH")
                .contains("wardenDetails={\"to\":\"ACTIVE\"}");
    }

    @Test
    void syslogOverTlsDeliversToAReceiverTheTrustStoreVouchesFor() throws Exception {
        Certificates certificates = Certificates.make(dir);
        SyslogReceiver receiver = closed(new SyslogReceiver(certificates.serverSockets()));
        trail.append(60);
        SiemStreamer streamer = streamer(
                SiemProperties.Sink.syslogTls(
                        "siem-tls",
                        "localhost",
                        receiver.port(),
                        SiemProperties.Format.JSON,
                        certificates.trustStore(),
                        Certificates.PASSWORD),
                "a");

        awaitAll(receiver.received, 60);
        assertThat(cursor(streamer, 60)).isEqualTo(60);
    }

    @Test
    void syslogOverTlsSendsNothingToAReceiverTheTrustStoreDoesNotVouchFor() throws Exception {
        Certificates certificates = Certificates.make(dir);
        SyslogReceiver receiver = closed(new SyslogReceiver(certificates.serverSockets()));
        trail.append(10);
        // the JDK's own trust store knows nothing of the test's CA
        SiemStreamer streamer = streamer(
                new SiemProperties.Sink(
                        "siem-untrusted",
                        SiemProperties.Kind.SYSLOG,
                        true,
                        "localhost",
                        receiver.port(),
                        true,
                        null,
                        null,
                        SiemProperties.Format.JSON,
                        "warden",
                        null,
                        null,
                        Duration.ofSeconds(2)),
                "a");

        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> meters.counter("warden.audit.siem.failures", "sink", "siem-untrusted")
                                .count()
                        >= 2);
        assertThat(receiver.received.sequences()).isEmpty();
        assertThat(streamer.cursor()).isZero();
        assertThat(streamer.lagEvents()).isEqualTo(10);
    }

    @Test
    void syslogReceiverThatCrashesAndRecoversGetsEverySequenceInOrder() throws Exception {
        SyslogReceiver receiver = closed(new SyslogReceiver(null));
        receiver.crashOnMessage(137, 3);
        trail.append(400);
        SiemStreamer streamer = streamer(
                SiemProperties.Sink.syslog("siem-crash", "127.0.0.1", receiver.port(), SiemProperties.Format.JSON),
                "a");

        awaitAll(receiver.received, 400);
        assertThat(cursor(streamer, 400)).isEqualTo(400);
        assertThat(meters.counter("warden.audit.siem.failures", "sink", "siem-crash")
                        .count())
                .isGreaterThanOrEqualTo(1);
        assertThat(receiver.received.repeats())
                .as("what was in flight was sent again")
                .isPositive();
    }

    @Test
    void otlpCollectorReceivesLogRecordsWithServiceNameAndRecordAttributes() throws Exception {
        Received received = new Received();
        List<String> resources = new ArrayList<>();
        HttpReceiver collector = closed(new HttpReceiver(request -> {
            if (!request.path().equals("/v1/logs")) {
                return 404;
            }
            JsonNode body = JSON.readTree(request.body());
            JsonNode resourceLogs = body.get("resourceLogs").get(0);
            resources.add(resourceLogs.get("resource").get("attributes").get(0).toString());
            for (JsonNode log : resourceLogs.get("scopeLogs").get(0).get("logRecords")) {
                received.accept(
                        Long.parseLong(
                                attribute(log, "sequence").get("intValue").asString()),
                        log.toString());
            }
            return 200;
        }));
        trail.append(75);
        streamer(SiemProperties.Sink.otlp("otel", collector.url("/")), "a");

        awaitAll(received, 75);
        assertThat(resources)
                .allMatch(each -> each.equals("{\"key\":\"service.name\",\"value\":{\"stringValue\":\"warden\"}}"));
        JsonNode fifth = JSON.readTree(received.messages().get(4));
        assertThat(attribute(fifth, "action").get("stringValue").asString()).isEqualTo("agent.status_changed");
        assertThat(attribute(fifth, "actor").get("stringValue").asString()).isEqualTo("person-2");
        assertThat(attribute(fifth, "decision").get("stringValue").asString()).isEqualTo("DENY");
        assertThat(attribute(fifth, "reasons")
                        .get("arrayValue")
                        .get("values")
                        .get(0)
                        .get("stringValue")
                        .asString())
                .isEqualTo("KILL_SWITCH");
        assertThat(fifth.get("severityNumber").asInt()).isEqualTo(10);
    }

    static JsonNode attribute(JsonNode log, String key) {
        for (JsonNode each : log.get("attributes")) {
            if (each.get("key").asString().equals(key)) {
                return each.get("value");
            }
        }
        throw new AssertionError("no attribute " + key + " in " + log);
    }

    /** A webhook receiver as the documentation tells one to write it: recompute the HMAC, refuse on mismatch. */
    static Function<HttpReceiver.Request, Integer> verifying(String secret, Received received) {
        return request -> {
            String expected = "v1=" + hmac(secret, request.timestamp() + "." + request.body());
            if (!expected.equals(request.signature())) {
                return 401;
            }
            for (JsonNode record : JSON.readTree(request.body()).get("records")) {
                received.accept(record.get("sequence").asLong(), record.toString());
            }
            return 204;
        };
    }

    static String hmac(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void webhookThatFailsAndRecoversGetsEverySequenceSignedAndTheLagShowsTheOutage() throws Exception {
        Received received = new Received();
        HttpReceiver webhook = closed(new HttpReceiver(verifying(SECRET, received)));
        webhook.failNext(4);
        trail.append(130);
        SiemStreamer streamer = streamer(SiemProperties.Sink.webhook("hook", webhook.url("/audit"), SECRET), "a");

        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> meters.get("warden.audit.siem.lag.events")
                                .tag("sink", "hook")
                                .gauge()
                                .value()
                        == 130.0);
        assertThat(meters.get("warden.audit.siem.lag.seconds")
                        .tag("sink", "hook")
                        .gauge()
                        .value())
                .isGreaterThanOrEqualTo(0.0);
        awaitAll(received, 130);
        assertThat(cursor(streamer, 130)).isEqualTo(130);
        assertThat(meters.get("warden.audit.siem.lag.events")
                        .tag("sink", "hook")
                        .gauge()
                        .value())
                .isZero();
        assertThat(meters.counter("warden.audit.siem.failures", "sink", "hook").count())
                .isEqualTo(4.0);
    }

    @Test
    void webhookSignedWithAnotherSecretIsRefusedAndTheCursorStays() throws Exception {
        Received received = new Received();
        HttpReceiver webhook = closed(new HttpReceiver(verifying("another-secret-another-secret-xx", received)));
        trail.append(10);
        SiemStreamer streamer = streamer(SiemProperties.Sink.webhook("hook-wrong", webhook.url("/audit"), SECRET), "a");

        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> webhook.requests().size() >= 2);
        assertThat(received.sequences()).isEmpty();
        assertThat(streamer.cursor()).isZero();
    }

    @Test
    void restartResumesFromTheDurableCursorWithNoGap() throws Exception {
        Received received = new Received();
        HttpReceiver webhook = closed(new HttpReceiver(verifying(SECRET, received)));
        SiemProperties.Sink sink = SiemProperties.Sink.webhook("hook-restart", webhook.url("/audit"), SECRET);
        trail.append(80);
        SiemStreamer first = streamer(sink, "instance-1");
        cursor(first, 80);
        first.close();

        trail.append(70);
        SiemStreamer second = streamer(sink, "instance-1");

        awaitAll(received, 150);
        assertThat(cursor(second, 150)).isEqualTo(150);
        assertThat(received.repeats())
                .as("nothing the receiver accepted is sent again")
                .isZero();
        assertThat(webhook.requests().getFirst().body()).contains("\"firstSequence\":1,");
        assertThat(webhook.requests().stream().map(HttpReceiver.Request::body))
                .anyMatch(body -> body.contains("\"firstSequence\":81,"));
    }

    @Test
    void twoInstancesNeverStreamOneSinkAtOnceAndTheOtherTakesOverOnRelease() throws Exception {
        Received received = new Received();
        HttpReceiver webhook = closed(new HttpReceiver(verifying(SECRET, received)));
        SiemProperties.Sink sink = SiemProperties.Sink.webhook("hook-shared", webhook.url("/audit"), SECRET);
        trail.append(300);
        SiemStreamer one = streamer(sink, "instance-1");
        SiemStreamer two = streamer(sink, "instance-2");

        awaitAll(received, 300);
        assertThat(received.repeats()).as("only the lease holder sends").isZero();
        cursor(one, 300);
        cursor(two, 300);
        assertThat(one.leading()).isNotEqualTo(two.leading());
        SiemStreamer leader = one.leading() ? one : two;
        SiemStreamer standby = one.leading() ? two : one;
        // release the leader: the other takes over and continues from the cursor
        leader.close();
        trail.append(40);
        awaitAll(received, 340);
        assertThat(received.repeats()).isZero();
        assertThat(standby.leading()).isTrue();
    }

    @Test
    void aMovedCursorSkipsRecordsAndTheReceiverSeesTheGap() throws Exception {
        Received received = new Received();
        HttpReceiver webhook = closed(new HttpReceiver(verifying(SECRET, received)));
        SiemProperties.Sink sink = SiemProperties.Sink.webhook("hook-moved", webhook.url("/audit"), SECRET);
        trail.append(20);
        SiemStreamer first = streamer(sink, "instance-1");
        cursor(first, 20);
        first.close();

        trail.append(30);
        // someone with the database credentials moves the cursor: the stream skips 21..35
        trail.execute("update audit_siem_cursor set last_seq = 35 where sink = 'hook-moved'");
        streamer(sink, "instance-1");

        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> received.last() == 50);
        assertThat(received.gaps()).containsExactly("21..35");
    }

    @Test
    void settingsNameTheFieldToFix() {
        assertThatThrownBy(() ->
                        properties(SiemProperties.Sink.webhook("hook", URI.create("https://siem.example/h"), "short")))
                .hasMessageContaining("warden.audit.siem.sinks[0].secret");
        assertThatThrownBy(
                        () -> properties(SiemProperties.Sink.syslog("Bad Name", "h", 514, SiemProperties.Format.JSON)))
                .hasMessageContaining("warden.audit.siem.sinks[0].name");
        assertThatThrownBy(() -> properties(
                        SiemProperties.Sink.syslog("a", "h", 514, SiemProperties.Format.JSON),
                        SiemProperties.Sink.syslog("a", "h", 0, SiemProperties.Format.JSON)))
                .hasMessageContaining("warden.audit.siem.sinks[1].");
        assertThatThrownBy(() -> properties(SiemProperties.Sink.otlp("otel", URI.create("ftp://x/"))))
                .hasMessageContaining("warden.audit.siem.sinks[0].url");
    }

    /** A CA-less self-signed server certificate for localhost, made with the JDK's keytool, and a trust store of it. */
    record Certificates(Path keyStore, Path trustStore) {

        static final String PASSWORD = "changeit";

        static Certificates make(Path dir) throws IOException, InterruptedException {
            Path keyStore = dir.resolve("server.p12");
            Path cert = dir.resolve("server.der");
            Path trustStore = dir.resolve("trust.p12");
            keytool(
                    "-genkeypair",
                    "-alias",
                    "syslog",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "SAN=dns:localhost",
                    "-validity",
                    "2",
                    "-keystore",
                    keyStore.toString(),
                    "-storepass",
                    PASSWORD,
                    "-storetype",
                    "PKCS12");
            keytool(
                    "-exportcert",
                    "-alias",
                    "syslog",
                    "-keystore",
                    keyStore.toString(),
                    "-storepass",
                    PASSWORD,
                    "-file",
                    cert.toString());
            keytool(
                    "-importcert",
                    "-noprompt",
                    "-alias",
                    "syslog",
                    "-file",
                    cert.toString(),
                    "-keystore",
                    trustStore.toString(),
                    "-storepass",
                    PASSWORD,
                    "-storetype",
                    "PKCS12");
            return new Certificates(keyStore, trustStore);
        }

        private static void keytool(String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>();
            command.add(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
            command.addAll(List.of(args));
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
        }

        SSLServerSocketFactory serverSockets() throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                store.load(in, PASSWORD.toCharArray());
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context.getServerSocketFactory();
        }
    }
}
