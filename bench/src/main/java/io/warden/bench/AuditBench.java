package io.warden.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditTarget;
import io.warden.audit.ExportFormat;
import io.warden.audit.Verification;
import io.warden.audit.internal.AuditExporter;
import io.warden.audit.internal.AuditProperties;
import io.warden.audit.internal.PostgresAuditLog;
import io.warden.audit.internal.PostgresAuditTrail;
import io.warden.audit.internal.PostgresAuditVerifier;
import io.warden.audit.internal.SigningKeys;
import io.warden.audit.internal.anchoring.AnchoringProperties;
import io.warden.audit.internal.anchoring.CheckpointAnchorer;
import io.warden.audit.internal.anchoring.HttpTimeStampAuthority;
import io.warden.audit.internal.anchoring.TimestampVerifier;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;

/**
 * Load driver for the audit log, on a real PostgreSQL with {@code fsync} and {@code synchronous_commit} on
 * (every append is durable before it returns):
 * <ul>
 *   <li>{@code append}: {@code --writers} threads append for {@code --seconds}; throughput and latency percentiles;</li>
 *   <li>{@code verify}: recompute the whole chain and its checkpoints; events per second;</li>
 *   <li>{@code anchored-append}: {@code append}, then the same again with anchoring on (a checkpoint every 1,000
 *       events, each time-stamped by a TSA on the loopback interface, {@link LocalTimeStampAuthority}), both in
 *       the same run; then every token is verified;</li>
 *   <li>{@code export}: fill the log to {@code --events}, then stream a FHIR R4 NDJSON export of all of it;
 *       events per second and the peak heap during the export (run it with {@code -Xmx512m}).</li>
 * </ul>
 * Prints one JSON object with {@code append_events_per_s}, {@code append_p99_ms}, {@code verify_events_per_s},
 * {@code export_events_per_s}, {@code export_peak_heap_mb}, and {@code anchored_append_events_per_s},
 * {@code anchored_append_p99_ms}, {@code anchored_checkpoints}.
 */
public final class AuditBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        int writers = Integer.parseInt(options.getOrDefault("writers", "32"));
        int seconds = Integer.parseInt(options.getOrDefault("seconds", "20"));
        long exportEvents = Long.parseLong(options.getOrDefault("events", "1000000"));
        String mode = options.getOrDefault("mode", "all");

        Path data = Files.createTempDirectory("warden-bench-");
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
            config.setMaximumPoolSize(4);
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
            try (HikariDataSource dataSource = new HikariDataSource(config)) {
                Flyway.configure()
                        .dataSource(dataSource)
                        .locations("classpath:db/migration/audit")
                        .placeholders(Map.of("appRole", "postgres"))
                        .load()
                        .migrate();
                SigningKeys.SigningKey key = SigningKeys.generatedIn(data.resolve("keys"));
                AuditProperties properties = new AuditProperties(
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
                PostgresAuditLog log = new PostgresAuditLog(dataSource, Clock.systemUTC(), key, properties);
                PostgresAuditTrail trail = new PostgresAuditTrail(dataSource);
                PostgresAuditVerifier verifier =
                        new PostgresAuditVerifier(dataSource, Map.of(key.keyId(), key.publicKey()), properties);
                log.start();
                Map<String, Object> results = new LinkedHashMap<>();
                results.put("writers", writers);
                if (mode.equals("all") || mode.contains("append")) {
                    append(log, writers, 3, null);
                    long[] latencies = append(log, writers, seconds, results);
                    results.put("append_p50_ms", percentile(latencies, 0.50));
                    results.put("append_p99_ms", percentile(latencies, 0.99));
                    results.put("append_max_ms", percentile(latencies, 1.0));
                }
                if (mode.contains("anchored-append")) {
                    anchoredAppend(dataSource, log, key, properties, writers, seconds, data, results);
                }
                if (mode.equals("all") || mode.contains("verify")) {
                    long head = trail.head();
                    List<Double> rates = new ArrayList<>();
                    for (int run = 0; run < 3; run++) {
                        long start = System.nanoTime();
                        Verification verification = verifier.verify(1, head);
                        double elapsed = (System.nanoTime() - start) / 1e9;
                        if (!verification.valid()) {
                            throw new IllegalStateException("the benchmark's chain does not verify: " + verification);
                        }
                        rates.add(verification.eventsChecked() / elapsed);
                    }
                    results.put("verify_events", head);
                    results.put("verify_events_per_s", Math.round(median(rates)));
                }
                if (mode.equals("all") || mode.contains("export")) {
                    while (trail.head() < exportEvents) {
                        fill(log, trail, writers, exportEvents);
                    }
                    long head = trail.head();
                    AuditExporter exporter = new AuditExporter(dataSource, key);
                    System.gc();
                    List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                            .filter(pool -> pool.getType() == MemoryType.HEAP)
                            .toList();
                    heap.forEach(MemoryPoolMXBean::resetPeakUsage);
                    CountingStream out = new CountingStream();
                    long start = System.nanoTime();
                    var summary = exporter.exportWithSummary(ExportFormat.FHIR_NDJSON, 1, head, out);
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    long peak = heap.stream()
                            .mapToLong(pool -> pool.getPeakUsage().getUsed())
                            .sum();
                    results.put("export_events", summary.events());
                    results.put("export_bytes", out.count);
                    results.put("export_events_per_s", Math.round(summary.events() / elapsed));
                    results.put("export_peak_heap_mb", Math.round(peak / (1024.0 * 1024.0)));
                    results.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
                }
                log.stop();
                System.out.println(json(results));
            }
        }
    }

    /**
     * Appends as {@code append} does while a local TSA time-stamps every checkpoint (one per 1,000 events) on the
     * anchoring thread; then anchors what is left and verifies every token with the database's verifier.
     */
    private static void anchoredAppend(
            HikariDataSource dataSource,
            PostgresAuditLog log,
            SigningKeys.SigningKey key,
            AuditProperties properties,
            int writers,
            int seconds,
            Path data,
            Map<String, Object> results)
            throws Exception {
        try (LocalTimeStampAuthority tsa = new LocalTimeStampAuthority("Warden bench TSA")) {
            TimestampVerifier trusted = new TimestampVerifier(
                    TimestampVerifier.readCertificates(List.of(tsa.certificatePem(data))), Duration.ofHours(1));
            AnchoringProperties anchoring = new AnchoringProperties(
                    List.of(tsa.url()),
                    List.of(tsa.certificatePem(data)),
                    Duration.ofMinutes(1),
                    Duration.ofMillis(100),
                    Duration.ofSeconds(10),
                    Duration.ofHours(1));
            CheckpointAnchorer anchorer = new CheckpointAnchorer(
                    dataSource,
                    Clock.systemUTC(),
                    List.of(new HttpTimeStampAuthority(tsa.url(), Duration.ofSeconds(10), trusted, new SecureRandom())),
                    () -> log.checkpointIfOlderThan(Duration.ZERO),
                    anchoring,
                    new SimpleMeterRegistry());
            anchorer.start();
            append(log, writers, 3, null);
            Map<String, Object> anchored = new LinkedHashMap<>();
            long[] latencies = append(log, writers, seconds, anchored);
            long pendingAtEnd = anchorer.status().pending();
            anchorer.stop();
            anchorer.anchorPending();
            results.put("anchored_append_events", anchored.get("append_events"));
            results.put("anchored_append_events_per_s", anchored.get("append_events_per_s"));
            results.put("anchored_append_p50_ms", percentile(latencies, 0.50));
            results.put("anchored_append_p99_ms", percentile(latencies, 0.99));
            results.put("anchored_append_max_ms", percentile(latencies, 1.0));
            results.put("anchored_pending_at_end", pendingAtEnd);
            results.put("tsa_requests", tsa.requests.get());
            long head = new PostgresAuditTrail(dataSource).head();
            Verification verification = new PostgresAuditVerifier(
                            dataSource, Map.of(key.keyId(), key.publicKey()), properties, trusted)
                    .verify(1, head);
            if (!verification.valid()) {
                throw new IllegalStateException("the anchored chain does not verify: " + verification);
            }
            results.put("anchored_checkpoints", verification.anchorsChecked());
            results.put("anchored_checkpoints_verified_through", verification.lastAnchoredSequence());
        }
    }

    /** Appends with {@code writers} threads for {@code seconds}; returns every append's latency in nanoseconds. */
    private static long[] append(PostgresAuditLog log, int writers, int seconds, @Nullable Map<String, Object> results)
            throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        long[][] perThread = new long[writers][];
        int[] counts = new int[writers];
        CountDownLatch done = new CountDownLatch(writers);
        CountDownLatch go = new CountDownLatch(1);
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread thread = new Thread(
                    () -> {
                        long[] latencies = new long[1 << 16];
                        int n = 0;
                        try {
                            go.await();
                            while (!stop.get()) {
                                long start = System.nanoTime();
                                log.append(event(writer, n));
                                long latency = System.nanoTime() - start;
                                if (n == latencies.length) {
                                    latencies = Arrays.copyOf(latencies, n * 2);
                                }
                                latencies[n++] = latency;
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            perThread[writer] = latencies;
                            counts[writer] = n;
                            done.countDown();
                        }
                    },
                    "bench-writer-" + w);
            thread.start();
        }
        long start = System.nanoTime();
        go.countDown();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int offset = 0;
        for (int w = 0; w < writers; w++) {
            System.arraycopy(perThread[w], 0, all, offset, counts[w]);
            offset += counts[w];
        }
        if (results != null) {
            results.put("append_events", total);
            results.put("append_seconds", Math.round(elapsed * 10) / 10.0);
            results.put("append_events_per_s", Math.round(total / elapsed));
        }
        return all;
    }

    private static void fill(PostgresAuditLog log, PostgresAuditTrail trail, int writers, long target)
            throws InterruptedException {
        Thread[] threads = new Thread[writers];
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads[w] = new Thread(() -> {
                int n = 0;
                while (trail.head() < target) {
                    for (int i = 0; i < 200; i++) {
                        log.append(event(writer, n++));
                    }
                }
            });
            threads[w].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /** A gateway decision as the policy gateway will record it: digests and codes, no raw request. */
    static AuditEvent event(int writer, int n) {
        boolean deny = n % 17 == 0;
        return AuditEvent.builder(
                        "gateway.decision",
                        AuditActor.agent("agent-" + writer, "owner-" + (writer % 5)),
                        new AuditTarget("tool", "image-search"))
                .agent("agent-" + writer)
                .owner("owner-" + (writer % 5))
                .dataset(n % 2 == 0 ? "imaging-ct-deid" : "dermatology-phi")
                .tool("image-search")
                .decision(deny ? "DENY" : "PERMIT")
                .reason(deny ? "SCOPE_NOT_GRANTED" : "ALLOWED")
                .purposeOfUse("TREAT")
                .requestDigest(String.format(Locale.ROOT, "%064x", (long) writer * 1_000_000L + n))
                .latencyMicros(350L + n % 100)
                .correlationId("req-" + writer + "-" + n)
                .detail("k", 10)
                .build();
    }

    private static double percentile(long[] nanos, double p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
        return Math.round(sorted[index] / 1e4) / 100.0;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return options;
    }

    private static String json(Map<String, Object> values) {
        StringBuilder out = new StringBuilder("{");
        values.forEach((key, value) -> out.append(out.length() > 1 ? ", " : "")
                .append('"')
                .append(key)
                .append("\": ")
                .append(value));
        return out.append('}').toString();
    }

    /** Discards the export, counting its bytes. */
    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
