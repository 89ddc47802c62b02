package io.warden.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditTarget;
import io.warden.audit.internal.AuditProperties;
import io.warden.audit.internal.PostgresAuditLog;
import io.warden.audit.internal.SigningKeys;
import io.warden.audit.internal.siem.SiemProperties;
import io.warden.audit.internal.siem.SiemStreamer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;

/**
 * Load driver for SIEM streaming: syslog (RFC 5424, octet-counted, JSON payload) over TCP to a receiver on loopback
 * that parses every frame and checks the sequence numbers arrive in order without a gap.
 * <ul>
 *   <li>drain: {@code --events} records already in the trail are streamed from cursor 0; events per second until the
 *       receiver has all of them;</li>
 *   <li>live: {@code --writers} threads append for {@code --seconds} while the stream follows; the receiver's rate
 *       in that window and the lag (events, seconds) when the appends stop.</li>
 * </ul>
 * Prints one JSON object with {@code siem_events_per_s}, {@code siem_live_events_per_s}, {@code siem_lag_events_at_end},
 * {@code siem_lag_s_at_end}.
 */
public final class SiemBench {

    private static final Pattern SEQ = Pattern.compile("\\[warden@32473 seq=\"(\\d+)\"]");

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        long events = Long.parseLong(options.getOrDefault("events", "200000"));
        int writers = Integer.parseInt(options.getOrDefault("writers", "16"));
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "20"));
        Path data = Files.createTempDirectory("warden-siem-bench-");
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(data.resolve("pgdata"))
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("shared_buffers", "512MB")
                .setServerConfig("max_wal_size", "4GB")
                .start()) {
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("create database bench");
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(postgres.getJdbcUrl("postgres", "bench"));
            config.setMaximumPoolSize(6);
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
            try (HikariDataSource dataSource = new HikariDataSource(config);
                    Receiver receiver = new Receiver()) {
                Flyway.configure()
                        .dataSource(dataSource)
                        .locations("classpath:db/migration/audit")
                        .placeholders(Map.of("appRole", "postgres"))
                        .load()
                        .migrate();
                AuditProperties auditProperties = new AuditProperties(
                        1000,
                        Duration.ofSeconds(60),
                        1000,
                        100_000,
                        Duration.ofSeconds(30),
                        null,
                        null,
                        null,
                        data.resolve("keys"),
                        List.of());
                PostgresAuditLog log = new PostgresAuditLog(
                        dataSource, Clock.systemUTC(), SigningKeys.generatedIn(data.resolve("keys")), auditProperties);
                log.start();
                Map<String, Object> results = new LinkedHashMap<>();
                fill(log, writers, events);
                System.err.printf(Locale.ROOT, "filled %d events%n", events);

                SiemProperties.Sink sink =
                        SiemProperties.Sink.syslog("bench", "127.0.0.1", receiver.port(), SiemProperties.Format.JSON);
                SiemProperties properties = new SiemProperties(
                        1000,
                        Duration.ofMillis(100),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(1),
                        null,
                        List.of(sink));
                SiemStreamer streamer = SiemStreamer.create(
                        dataSource, properties, sink, "bench", Clock.systemUTC(), new SimpleMeterRegistry());
                long start = System.nanoTime();
                streamer.start();
                while (receiver.last.get() < events) {
                    pause(5);
                }
                double drain = (System.nanoTime() - start) / 1e9;
                results.put("siem_events_per_s", Math.round(events / drain));
                results.put("siem_drain_events", events);
                results.put("siem_drain_s", round(drain));

                // live: appends and the stream at once
                long before = receiver.last.get();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicLong appended = new AtomicLong();
                List<Thread> threads = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    threads.add(Thread.ofPlatform().start(() -> {
                        int n = 0;
                        while (!stop.get()) {
                            log.append(event(writer, n++));
                            appended.incrementAndGet();
                        }
                    }));
                }
                long liveStart = System.nanoTime();
                pause(seconds * 1000L);
                stop.set(true);
                for (Thread thread : threads) {
                    thread.join();
                }
                double live = (System.nanoTime() - liveStart) / 1e9;
                long received = receiver.last.get() - before;
                results.put("siem_live_append_events_per_s", Math.round(appended.get() / live));
                results.put("siem_live_events_per_s", Math.round(received / live));
                results.put("siem_live_s", round(live));
                // the lag when the appends stop (the streamer measures it each round), then how long until none
                pause(300);
                results.put("siem_lag_events_at_end", streamer.lagEvents());
                long head = events + appended.get();
                long caughtUp = System.nanoTime();
                while (receiver.last.get() < head) {
                    pause(5);
                }
                results.put("siem_lag_s_at_end", round((System.nanoTime() - caughtUp) / 1e9 + 0.3));
                results.put("siem_gaps", receiver.gaps.get());
                results.put("siem_repeats", receiver.repeats.get());
                streamer.close();
                log.stop();
                System.out.println(json(results));
            }
        }
    }

    private static void fill(PostgresAuditLog log, int writers, long events) throws InterruptedException {
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads.add(Thread.ofPlatform().start(() -> {
                while (next.incrementAndGet() <= events) {
                    log.append(event(writer, (int) next.get()));
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static AuditEvent event(int writer, int n) {
        return AuditEvent.builder(
                        "gateway.decision",
                        AuditActor.agent("agent-" + writer, "owner-" + (n % 7)),
                        new AuditTarget("tool", "image-search"))
                .agent("agent-" + writer)
                .owner("owner-" + (n % 7))
                .dataset("imaging-ct-deid")
                .tool("image-search")
                .decision(n % 10 == 0 ? "DENY" : "PERMIT")
                .reason(n % 10 == 0 ? "KILL_SWITCH" : "OK")
                .purposeOfUse("TREAT")
                .requestDigest("b".repeat(64))
                .latencyMicros((long) n % 900)
                .correlationId("c-" + writer + "-" + n)
                .build();
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }

    private static String json(Map<String, Object> results) {
        StringBuilder out = new StringBuilder("{");
        results.forEach((key, value) -> {
            if (out.length() > 1) {
                out.append(", ");
            }
            out.append('"').append(key).append("\": ").append(value);
        });
        return out.append('}').toString();
    }

    /** A syslog receiver on loopback: parses each octet-counted frame and tracks the sequence numbers. */
    private static final class Receiver implements AutoCloseable {
        final AtomicLong last = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        final AtomicLong repeats = new AtomicLong();
        private final ServerSocket server;

        Receiver() throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofPlatform().daemon().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        Thread.ofPlatform().daemon().start(() -> read(socket));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() {
            return server.getLocalPort();
        }

        private void read(Socket socket) {
            try (socket;
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16)) {
                while (true) {
                    int length = 0;
                    int b;
                    while ((b = in.read()) != ' ') {
                        if (b < 0) {
                            return;
                        }
                        length = length * 10 + (b - '0');
                    }
                    byte[] frame = in.readNBytes(length);
                    Matcher matcher =
                            SEQ.matcher(new String(frame, 0, Math.min(frame.length, 160), StandardCharsets.UTF_8));
                    if (!matcher.find()) {
                        throw new IllegalStateException("a frame without a sequence number");
                    }
                    long seq = Long.parseLong(matcher.group(1));
                    long previous = last.get();
                    if (seq <= previous) {
                        repeats.incrementAndGet();
                    } else {
                        if (seq != previous + 1) {
                            gaps.incrementAndGet();
                        }
                        last.set(seq);
                    }
                }
            } catch (IOException e) {
                // the streamer reconnects
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
