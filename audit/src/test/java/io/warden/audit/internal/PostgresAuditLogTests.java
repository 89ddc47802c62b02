package io.warden.audit.internal;

import static io.warden.audit.AuditQueries.anyRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import io.warden.audit.AuditWriteFailed;
import io.warden.audit.Verification;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log against real PostgreSQL: durable group commit, one gap-free chain, checkpoints, and the
 * detection of every tamper class by someone with superuser access who bypasses the triggers.
 */
class PostgresAuditLogTests {

    static final int CHECKPOINT_EVERY = 10;

    @TempDir
    Path keys;

    AuditDatabase database;
    PostgresAuditLog log;
    PostgresAuditTrail trail;
    PostgresAuditVerifier verifier;

    @BeforeEach
    void start() {
        database = new AuditDatabase();
        SigningKeys.SigningKey key = SigningKeys.generatedIn(keys);
        log = newLog(database, key);
        log.start();
        trail = new PostgresAuditTrail(database.dataSource);
        verifier = newVerifier(database, key);
    }

    @AfterEach
    void stop() {
        log.stop();
    }

    static AuditProperties properties() {
        return new AuditProperties(
                CHECKPOINT_EVERY,
                Duration.ofHours(1),
                4,
                10_000,
                Duration.ofSeconds(10),
                null,
                null,
                null,
                Path.of("unused"),
                List.of());
    }

    static PostgresAuditLog newLog(AuditDatabase database, SigningKeys.SigningKey key) {
        return new PostgresAuditLog(database.dataSource, Clock.systemUTC(), key, properties());
    }

    /** A verifier that trusts the key the log signs with, as the published keys always include it. */
    static PostgresAuditVerifier newVerifier(AuditDatabase database, SigningKeys.SigningKey key) {
        return new PostgresAuditVerifier(database.dataSource, Map.of(key.keyId(), key.publicKey()), properties());
    }

    static AuditEvent event(int i) {
        return AuditEvent.builder(
                        "agent.status_changed",
                        AuditActor.person("person-" + (i % 3)),
                        new AuditTarget("agent", "agent-" + i))
                .agent("agent-" + i)
                .owner("owner-" + (i % 2))
                .dataset(i % 2 == 0 ? "imaging-ct-deid" : "dermatology-phi")
                .tool("image-search")
                .decision(i % 5 == 0 ? "DENY" : "PERMIT")
                .reason(i % 5 == 0 ? "KILL_SWITCH" : "OK")
                .purposeOfUse("TREAT")
                .requestDigest("a".repeat(64))
                .latencyMicros((long) i)
                .correlationId("c-" + i)
                .detail("to", "ACTIVE")
                .build();
    }

    List<AuditRecord> append(int count) {
        List<AuditRecord> records = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            records.add(log.append(event(i)));
        }
        return records;
    }

    @Test
    void appendReturnsTheCommittedRecordAndTheChainVerifies() {
        List<AuditRecord> records = append(25);
        assertThat(records)
                .extracting(AuditRecord::sequence)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 25).boxed().toList());
        assertThat(trail.find(7)).get().satisfies(found -> {
            assertThat(found.event()).isEqualTo(records.get(6).event());
            assertThat(found.hash()).isEqualTo(records.get(6).hash());
        });
        Verification verification = verifier.verify(1, 25);
        assertThat(verification.valid()).as("%s", verification).isTrue();
        assertThat(verification.checkpointsChecked()).isEqualTo(2);
        assertThat(verification.lastSignedSequence()).isEqualTo(20);
    }

    @Test
    void queuedAppendsKeepTheirOrderAndBecomeDurableWithoutTheCallerWaiting() {
        List<CompletableFuture<AuditRecord>> queued = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            queued.add(log.appendQueued(event(i)));
        }
        AuditRecord last = log.append(event(50)); // queued behind all of them
        assertThat(last.sequence()).isEqualTo(51);
        assertThat(queued).allSatisfy(future -> assertThat(future).isCompleted());
        assertThat(queued)
                .extracting(future -> future.join().sequence())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 50).boxed().toList());
        assertThat(trail.find(50))
                .get()
                .extracting(AuditRecord::event)
                .isEqualTo(queued.get(49).join().event());
        assertThat(verifier.verify(1, 51).valid()).isTrue();
    }

    @Test
    void concurrentAppendsShareCommitsAndFormOneGapFreeChain() throws Exception {
        List<Callable<List<Long>>> writers = new ArrayList<>();
        for (int w = 0; w < 32; w++) {
            int writer = w;
            writers.add(() -> {
                List<Long> sequences = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    sequences.add(log.append(event(writer * 100 + i)).sequence());
                }
                return sequences;
            });
        }
        Set<Long> all = new HashSet<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(32)) {
            for (Future<List<Long>> future : pool.invokeAll(writers)) {
                all.addAll(future.get());
            }
        }
        assertThat(all).hasSize(800).allSatisfy(seq -> assertThat(seq).isBetween(1L, 800L));
        assertThat(verifier.verify(1, 800).valid()).isTrue();
    }

    @Test
    void anEventWithAKnownSourceIdIsRecordedOnce() {
        AuditEvent event = AuditEvent.builder("agent.registered", AuditActor.person("p"), new AuditTarget("agent", "a"))
                .sourceId("registry:abc")
                .build();
        AuditRecord first = log.append(event);
        AuditRecord again = log.append(event);
        assertThat(again.sequence()).isEqualTo(first.sequence());
        assertThat(trail.head()).isEqualTo(1);
    }

    @Test
    void timeBasedCheckpointsSignTheTail() throws Exception {
        log.stop();
        var properties = new AuditProperties(
                1000,
                Duration.ofMillis(200),
                64,
                1000,
                Duration.ofSeconds(10),
                null,
                null,
                null,
                Path.of("unused"),
                List.of());
        log = new PostgresAuditLog(database.dataSource, Clock.systemUTC(), SigningKeys.generatedIn(keys), properties);
        log.start();
        append(3);
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> verifier.verify(1, 3).lastSignedSequence() == 3);
    }

    @Test
    void theDatabaseRefusesToChangeOrRemoveRecords() {
        append(12);
        assertThatThrownBy(() -> database.execute("update audit_event set action = 'x.y' where seq = 1"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> database.execute("delete from audit_event where seq = 1"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> database.execute("truncate audit_event"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("append-only");
        assertThatThrownBy(() -> database.execute("delete from audit_checkpoint"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("append-only");
    }

    @Test
    void aLogThatCannotWriteFailsTheAppend() {
        log.stop();
        assertThatThrownBy(() -> log.append(event(1))).isInstanceOf(AuditWriteFailed.class);
        AuditDatabase broken = new AuditDatabase();
        broken.tamper("drop table audit_event cascade");
        PostgresAuditLog failing = newLog(broken, SigningKeys.generatedIn(keys));
        failing.start();
        try {
            assertThatThrownBy(() -> failing.append(event(1)))
                    .isInstanceOf(AuditWriteFailed.class)
                    .hasMessageContaining("agent.status_changed");
            assertThat(failing.appendQueued(event(2)))
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOf(AuditWriteFailed.class);
        } finally {
            failing.stop();
        }
    }

    @Test
    void countsRecordsPerAgentByActionDecisionAndTime() {
        append(10); // agent-5 and agent-10 are DENY, the others PERMIT
        log.append(event(5));
        var denies = trail.countByAgent("agent.status_changed", "DENY", Instant.EPOCH);
        assertThat(denies).containsOnly(Map.entry("agent-5", 2L), Map.entry("agent-10", 1L));
        assertThat(trail.countByAgent("agent.status_changed", null, Instant.EPOCH))
                .hasSize(10)
                .containsEntry("agent-5", 2L);
        assertThat(trail.countByAgent(
                        "agent.status_changed", "DENY", Instant.now().plusSeconds(60)))
                .isEmpty();
        assertThat(trail.countByAgent("gateway.decision", "DENY", Instant.EPOCH))
                .isEmpty();
    }

    @Test
    void gatewayActivityIsBucketedPerAgentAndToolWithDenialsAndMedianLatency() {
        for (int i = 0; i < 6; i++) {
            log.append(AuditEvent.builder(
                            "gateway.decision", AuditActor.agent("client-a", null), new AuditTarget("tool", "classify"))
                    .agent("agent-a")
                    .tool("classify")
                    .decision(i < 2 ? "DENY" : "PERMIT")
                    .build());
            if (i >= 2) {
                log.append(AuditEvent.builder(
                                "gateway.outcome",
                                AuditActor.agent("client-a", null),
                                new AuditTarget("tool", "classify"))
                        .agent("agent-a")
                        .tool("classify")
                        .latencyMicros(100L * i)
                        .build());
            }
        }
        var rows = trail.activity(Instant.now().minusSeconds(3600), Duration.ofHours(1));
        assertThat(rows)
                .filteredOn(row -> row.agentId().equals("agent-a"))
                .singleElement()
                .satisfies(row -> {
                    assertThat(row.tool()).isEqualTo("classify");
                    assertThat(row.calls()).isEqualTo(6);
                    assertThat(row.denials()).isEqualTo(2);
                    assertThat(row.p50LatencyMicros()).isEqualTo(300L);
                });
        assertThat(trail.activity(Instant.now().plusSeconds(60), Duration.ofHours(1)))
                .isEmpty();

        // one agent's activity (its page) is the same rows, read through its records only
        log.append(AuditEvent.builder(
                        "gateway.decision", AuditActor.agent("client-b", null), new AuditTarget("tool", "classify"))
                .agent("agent-b")
                .tool("classify")
                .decision("PERMIT")
                .build());
        var ofA = trail.activity(Instant.now().minusSeconds(3600), Duration.ofHours(1), "agent-a");
        assertThat(ofA).singleElement().satisfies(row -> {
            assertThat(row.agentId()).isEqualTo("agent-a");
            assertThat(row.calls()).isEqualTo(6);
            assertThat(row.denials()).isEqualTo(2);
            assertThat(row.p50LatencyMicros()).isEqualTo(300L);
        });
        assertThat(trail.activity(Instant.now().minusSeconds(3600), Duration.ofHours(1), "agent-b"))
                .singleElement()
                .satisfies(row -> assertThat(row.calls()).isEqualTo(1));
        assertThat(trail.activity(Instant.now().minusSeconds(3600), Duration.ofHours(1), "no-such-agent"))
                .isEmpty();
    }

    @Test
    void searchFiltersAndPagesByKeyset() {
        append(30);
        var page = trail.search(
                anyRecord().ownerId("owner-0").decision("DENY").limit(2).build());
        assertThat(page).extracting(AuditRecord::sequence).containsExactly(30L, 20L);
        var next = trail.search(anyRecord()
                .ownerId("owner-0")
                .decision("DENY")
                .before(20L)
                .limit(2)
                .build());
        assertThat(next).extracting(AuditRecord::sequence).containsExactly(10L);
    }

    // ---- tampering ----------------------------------------------------------------------------------

    @Test
    void detectsAChangedField() {
        append(25);
        database.tamper("update audit_event set decision = 'PERMIT' where seq = 15");
        assertBad(verifier.verify(1, 25), 15, "hash-mismatch");
        assertThat(verifier.verify(1, 14).valid()).isTrue();
    }

    @Test
    void detectsAChangedHash() {
        append(25);
        database.tamper("update audit_event set hash = decode(repeat('ab', 32), 'hex') where seq = 12");
        assertBad(verifier.verify(1, 25), 12, "hash-mismatch");
    }

    @Test
    void detectsADeletedRow() {
        append(25);
        database.tamper("delete from audit_event where seq = 8");
        assertBad(verifier.verify(1, 25), 8, "missing-sequence");
    }

    @Test
    void detectsAnInsertedForgedRow() {
        append(25);
        // make room after 11 and forge a record there, chained from the real hash of 11
        database.tamper(
                "create temp table shifted as select * from audit_event where seq > 11",
                "delete from audit_event where seq > 11",
                "insert into audit_event select seq + 1, schema_version, time, action, source_id, actor_id, actor_type, "
                        + "actor_owner, target_type, target_id, agent_id, owner_id, dataset, tool, decision, reasons, purpose, "
                        + "request_digest, outcome, latency_micros, correlation_id, detail_keys, detail_values, hash from shifted",
                "insert into audit_event select 12, schema_version, time, 'agent.approved', null, 'forger', actor_type, "
                        + "actor_owner, target_type, target_id, agent_id, owner_id, dataset, tool, decision, reasons, purpose, "
                        + "request_digest, outcome, latency_micros, correlation_id, detail_keys, detail_values, hash "
                        + "from audit_event where seq = 11");
        assertBad(verifier.verify(1, 26), 12, "hash-mismatch");
    }

    @Test
    void detectsTwoRowsSwapped() {
        append(25);
        database.tamper(
                "update audit_event set seq = 1000000 where seq = 16",
                "update audit_event set seq = 16 where seq = 17",
                "update audit_event set seq = 17 where seq = 1000000");
        assertBad(verifier.verify(1, 25), 16, "hash-mismatch");
    }

    @Test
    void detectsATruncatedTail() {
        append(25);
        database.tamper("delete from audit_event where seq > 17", "update audit_head set last_seq = 17");
        assertBad(verifier.verify(1, 17), 18, "truncated");
    }

    @Test
    void detectsAWholeChainRewrittenWithoutTheKey() throws Exception {
        append(25);
        // Someone with the database but not the signing key rewrites record 13 and re-chains everything after it.
        database.tamper("update audit_event set actor_id = 'someone-else' where seq = 13");
        Chain chain = new Chain();
        byte[] previous = trail.find(12).orElseThrow().hash();
        for (long seq = 13; seq <= 25; seq++) {
            AuditRecord row = trail.find(seq).orElseThrow();
            previous = chain.next(previous, RecordCodecV1.canonical(seq, row.time(), row.event()));
            database.tamper("update audit_event set hash = decode('"
                    + HexFormat.of().formatHex(previous) + "', 'hex') where seq = " + seq);
        }
        database.tamper(
                "update audit_head set last_hash = decode('" + HexFormat.of().formatHex(previous) + "', 'hex')");
        // the chain is consistent again, but the checkpoint ending at 20 signed the original head
        assertBad(verifier.verify(1, 25), 11, "checkpoint-mismatch");

        // ...and removing the checkpoint that gives them away leaves too long an unsigned run
        database.tamper("delete from audit_checkpoint where last_seq > 10");
        assertBad(verifier.verify(1, 25), 11, "checkpoint-missing");
    }

    @Test
    void detectsAForgedCheckpointSignature() {
        append(25);
        database.tamper("update audit_checkpoint set signature = decode(repeat('00', 64), 'hex') where last_seq = 20");
        assertBad(verifier.verify(1, 25), 11, "checkpoint-signature-invalid");
    }

    private static void assertBad(Verification verification, long sequence, String problem) {
        assertThat(verification.valid()).as("%s", verification).isFalse();
        assertThat(verification.firstBadSequence()).as("%s", verification).isEqualTo(sequence);
        assertThat(verification.problem()).as("%s", verification).isEqualTo(problem);
        assertThat(verification.detail()).isNotBlank();
    }
}
