package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.audit.Verification;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The chain across processes: two JVMs appending at once make one chain, and a JVM killed with SIGKILL
 * mid-load loses nothing it had acknowledged.
 */
class InstancesAndCrashTests {

    @TempDir
    Path keys;

    @Test
    void twoInstancesAppendingAtOnceMakeOneChainThatVerifies() throws Exception {
        AuditDatabase database = new AuditDatabase();
        SigningKeys.generatedIn(keys); // the instances share the key, as replicas do
        Process first = appender(database, "first", 300, 4);
        Process second = appender(database, "second", 300, 4);
        Map<String, Long> acknowledged = new HashMap<>();
        acknowledged.putAll(read(first, Integer.MAX_VALUE));
        acknowledged.putAll(read(second, Integer.MAX_VALUE));
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isZero();
        assertThat(second.exitValue()).isZero();

        assertThat(acknowledged).hasSize(2400);
        assertThat(acknowledged.values())
                .doesNotHaveDuplicates()
                .allSatisfy(seq -> assertThat(seq).isBetween(1L, 2400L));
        assertThat(new PostgresAuditTrail(database.dataSource).head()).isEqualTo(2400);
        Verification verification = verifier(database).verify(1, 2400);
        assertThat(verification.valid()).as("%s", verification).isTrue();
        assertThat(verification.checkpointsChecked()).isPositive();
    }

    @Test
    void everyAcknowledgedAppendSurvivesSigkillAndTheChainVerifiesAfterRestart() throws Exception {
        AuditDatabase database = new AuditDatabase();
        SigningKeys.generatedIn(keys);
        Process victim = appender(database, "crash", 0, 8);
        Map<String, Long> acknowledged = read(victim, 3000);
        // SIGKILL through the process handle: Process.destroyForcibly would also close our end of its stdout
        assertThat(victim.toHandle().destroyForcibly()).isTrue();
        assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
        acknowledged.putAll(read(victim, Integer.MAX_VALUE)); // lines printed before the kill
        assertThat(acknowledged.size()).isGreaterThanOrEqualTo(3000);

        PostgresAuditLog restarted = asTheInstancesRun(database);
        restarted.start();
        try {
            JdbcClient jdbc = JdbcClient.create(database.dataSource);
            Map<String, Long> stored = new HashMap<>();
            jdbc.sql("select source_id, seq from audit_event where source_id like 'crash-%'")
                    .query(rs -> {
                        stored.put(rs.getString(1), rs.getLong(2));
                    });
            assertThat(stored).containsAllEntriesOf(acknowledged);
            for (int i = 0; i < 20; i++) {
                restarted.append(PostgresAuditLogTests.event(i));
            }
            long head = new PostgresAuditTrail(database.dataSource).head();
            Verification verification = verifier(database).verify(1, head);
            assertThat(verification.valid()).as("%s", verification).isTrue();
        } finally {
            restarted.stop();
        }
    }

    /** A log configured as {@link AppenderProcess} configures its own (checkpoints every 50 events). */
    private PostgresAuditLog asTheInstancesRun(AuditDatabase database) {
        return new PostgresAuditLog(
                database.dataSource, Clock.systemUTC(), SigningKeys.generatedIn(keys), asTheInstancesAre());
    }

    /** A verifier of what the instances wrote, trusting the key they share. */
    private PostgresAuditVerifier verifier(AuditDatabase database) {
        SigningKeys.SigningKey key = SigningKeys.generatedIn(keys);
        return new PostgresAuditVerifier(
                database.dataSource, Map.of(key.keyId(), key.publicKey()), asTheInstancesAre());
    }

    private AuditProperties asTheInstancesAre() {
        return new AuditProperties(
                50, Duration.ofSeconds(1), 64, 10_000, Duration.ofSeconds(30), null, null, null, keys, List.of());
    }

    private Process appender(AuditDatabase database, String prefix, int count, int threads) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        AppenderProcess.class.getName(),
                        AuditDatabase.server().getJdbcUrl("postgres", database.name),
                        keys.toString(),
                        prefix,
                        Integer.toString(count),
                        Integer.toString(threads))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    /** Reads acknowledgements until {@code enough} are in or the output ends. */
    private static Map<String, Long> read(Process process, int enough) throws IOException {
        Map<String, Long> acknowledged = new HashMap<>();
        BufferedReader reader = readers.computeIfAbsent(
                process, p -> new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
        String line;
        while (acknowledged.size() < enough && (line = reader.readLine()) != null) {
            List<String> parts = List.of(line.split(" "));
            if (parts.size() == 3 && parts.get(0).equals("OK")) {
                acknowledged.put(parts.get(1), Long.parseLong(parts.get(2)));
            }
        }
        return acknowledged;
    }

    private static final Map<Process, BufferedReader> readers = new ConcurrentHashMap<>();
}
