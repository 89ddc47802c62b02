package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import io.warden.audit.AuditWriteFailed;
import io.warden.audit.Outcome;
import io.warden.audit.Verification;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer keeps two batches in flight: batch n+1 is hashed from where batch n will leave the head and
 * copied while n commits. These tests make batch n fail on a real PostgreSQL (a trigger the test installs
 * stalls, then refuses an event) while n+1 is in flight behind it, and check that n+1 never commits on top
 * of n: it is rolled back and written again from the head as the database has it, so the chain has no
 * record of n, no gap, and verifies. And every column type goes through the binary COPY unchanged.
 */
class PipelinedWriterTests {

    @TempDir
    Path keys;

    AuditDatabase database;
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    SigningKeys.SigningKey key;
    PostgresAuditLog log;
    PostgresAuditTrail trail;

    @BeforeEach
    void start() {
        database = new AuditDatabase();
        key = SigningKeys.generatedIn(keys);
        log = new PostgresAuditLog(
                database.dataSource, Clock.systemUTC(), key, PostgresAuditLogTests.properties(), meters);
        log.start();
        trail = new PostgresAuditTrail(database.dataSource);
    }

    @AfterEach
    void stop() {
        log.stop();
    }

    @Test
    void aBatchThatFailsAtItsCommitTakesTheBatchBehindItBackAndItIsWrittenAgainFromTheDatabaseHead() throws Exception {
        // refused only at COMMIT, after the batch has copied its rows and moved (and locked) the head
        poisonWith("after insert", "constraint", "deferrable initially deferred");
        CompletableFuture<AuditRecord> poisoned = log.appendQueued(poison());
        await().atMost(Duration.ofSeconds(10)).until(() -> backends("wait_event = 'PgSleep'") == 1);

        List<CompletableFuture<AuditRecord>> behind = IntStream.rangeClosed(1, 3)
                .mapToObj(i -> log.appendQueued(PostgresAuditLogTests.event(i)))
                .toList();
        // the batch behind is copied and waits for the head row that the failing batch holds
        await().atMost(Duration.ofSeconds(10)).until(() -> backends("wait_event_type = 'Lock'") >= 1);

        assertFailedAndTheRestRewritten(poisoned, behind);
    }

    @Test
    void aBatchThatFailsInItsCopyTakesTheBatchBehindItBackAndItIsWrittenAgainFromTheDatabaseHead() throws Exception {
        // refused while the rows are copied, before the batch reaches the head
        poisonWith("before insert", "", "");
        CompletableFuture<AuditRecord> poisoned = log.appendQueued(poison());
        await().atMost(Duration.ofSeconds(10)).until(() -> backends("wait_event = 'PgSleep'") == 1);

        List<CompletableFuture<AuditRecord>> behind = IntStream.rangeClosed(1, 3)
                .mapToObj(i -> log.appendQueued(PostgresAuditLogTests.event(i)))
                .toList();

        assertFailedAndTheRestRewritten(poisoned, behind);
    }

    @Test
    void batchesInFlightBehindEachOtherCommitInOrderWithoutBeingRewritten() throws Exception {
        List<CompletableFuture<AuditRecord>> appended = new ArrayList<>();
        try (ExecutorService appenders = Executors.newFixedThreadPool(16)) {
            List<Future<List<AuditRecord>>> perThread = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                perThread.add(appenders.submit(() -> IntStream.range(0, 25)
                        .mapToObj(i -> log.append(PostgresAuditLogTests.event(thread * 100 + i)))
                        .toList()));
            }
            for (Future<List<AuditRecord>> each : perThread) {
                each.get(60, TimeUnit.SECONDS).forEach(r -> appended.add(CompletableFuture.completedFuture(r)));
            }
        }
        assertThat(appended.stream().map(f -> f.join().sequence()).sorted())
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, 400).boxed().toList());
        assertThat(verify(400).valid()).isTrue();
        // the batch behind waited for the head and found it where the batch ahead left it, every time
        assertThat(meters.get("warden.audit.batch.rewritten").counter().count()).isZero();
    }

    @Test
    void everyColumnTypeGoesThroughTheCopyUnchanged() {
        AuditEvent awkward = AuditEvent.builder(
                        "test.copy_escapes",
                        new AuditActor("per\\son\t\"1\"\n,{x}", AuditActor.Type.PERSON, "Zoë 🩺 \r\n"),
                        new AuditTarget("ta,rget {y}", "id \\N NULL"))
                .agent("agent\\\\")
                .owner("")
                .dataset("NULL")
                .tool("\\.")
                .decision("DENY")
                .reason("a,b")
                .reason("{c}")
                .reason("\"q\"")
                .reason("back\\slash")
                .reason("")
                .reason("NULL")
                .reason("tab\tnew\nline")
                .reason("🩺")
                .purposeOfUse("TREAT")
                .requestDigest("0".repeat(64))
                .outcome(Outcome.SERIOUS_FAILURE)
                .latencyMicros((1L << 53) - 1) // the largest I-JSON integer
                .correlationId("c\u0001d")
                .detail("empty", "")
                .detail("odd", "{\"a\",\\b}\t\n")
                .detail("nul_word", "NULL")
                .build();
        AuditEvent bare = AuditEvent.builder(
                        "test.copy_bare", AuditActor.system("scheduler"), new AuditTarget("agent", "a"))
                .build();
        AuditEvent withSource = AuditEvent.builder(
                        "test.copy_source", AuditActor.agent("c", null), new AuditTarget("tool", "t"))
                .sourceId("src-é\t1")
                .reason("x\"y")
                .detail("k", "v\\")
                .build();

        List<AuditRecord> written = List.of(log.append(awkward), log.append(bare), log.append(withSource));

        for (AuditRecord record : written) {
            AuditRecord read = trail.find(record.sequence()).orElseThrow();
            assertThat(read.event()).isEqualTo(record.event());
            assertThat(read.time()).isEqualTo(record.time());
            assertThat(read.hash()).isEqualTo(record.hash());
            assertThat(read.schemaVersion()).isEqualTo(RecordCodecV1.VERSION);
        }
        assertThat(written.stream().map(AuditRecord::event)).containsExactly(awkward, bare, withSource);
        assertThat(verify(3).valid()).isTrue();
    }

    private void assertFailedAndTheRestRewritten(
            CompletableFuture<AuditRecord> poisoned, List<CompletableFuture<AuditRecord>> behind) throws Exception {
        assertThat(poisoned)
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingCause()
                .isInstanceOf(AuditWriteFailed.class)
                .withMessageContaining("poisoned");
        List<Long> sequences =
                behind.stream().map(future -> future.join().sequence()).toList();
        // numbered from the head in the database (0), not from where the failed batch would have left it (1)
        assertThat(sequences).containsExactly(1L, 2L, 3L);
        for (int i = 0; i < 3; i++) {
            assertThat(behind.get(i).get(1, TimeUnit.SECONDS).event()).isEqualTo(PostgresAuditLogTests.event(i + 1));
        }
        assertThat(trail.head()).isEqualTo(3);
        assertThat(verify(3).valid()).isTrue();
        // the batch behind the failed one was in flight and was rolled back, never committed on top of it
        assertThat(meters.get("warden.audit.batch.rewritten").counter().count()).isEqualTo(1);
        assertThat(meters.get("warden.audit.append.failed")
                        .tag("reason", "write-failed")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    private Verification verify(long last) {
        return new PostgresAuditVerifier(
                        database.dataSource, Map.of(key.keyId(), key.publicKey()), PostgresAuditLogTests.properties())
                .verify(1, last);
    }

    private static AuditEvent poison() {
        return AuditEvent.builder("test.poison", AuditActor.system("test"), new AuditTarget("agent", "x"))
                .build();
    }

    /** A trigger that stalls for a second on the poison event, then refuses it. */
    private void poisonWith(String when, String constraint, String timing) throws SQLException {
        database.execute("""
                create function poison() returns trigger language plpgsql as $$
                begin
                    if new.action = 'test.poison' then
                        perform pg_sleep(1);
                        raise exception 'poisoned';
                    end if;
                    return new;
                end
                $$""");
        database.execute("create " + constraint + " trigger poison " + when + " on audit_event " + timing
                + " for each row execute function poison()");
    }

    private long backends(String condition) throws SQLException {
        try (Connection connection = database.dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(
                        "select count(*) from pg_stat_activity where datname = current_database() and " + condition)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
