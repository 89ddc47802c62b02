package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRecord;
import io.warden.audit.problem.Problems;
import io.warden.policy.RateLimitRefused;
import io.warden.policy.RateLimits;
import io.warden.policy.RateLimits.Admission;
import io.warden.policy.RateLimits.Limit;
import io.warden.policy.ReasonCodes;
import io.warden.registry.AgentId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Two {@link PostgresRateLimits} instances, each with its own connection pool and leases, on one real
 * PostgreSQL, as two Warden replicas are: the rate they admit together stays within the documented
 * slack, a quota admits exactly its number of calls, unspent leases come back, and changes are audited.
 * Time is a clock the test moves, so every bound is exact.
 */
class PostgresRateLimitsTests {

    static final String TOOL = "text-search";
    static final RateLimitProperties SETTINGS =
            new RateLimitProperties(100, 200, Duration.ofMillis(100), Duration.ofSeconds(1), 0.0625);

    /** A clock the test moves; shared by both instances, as synchronised hosts are. */
    static final class TestClock extends Clock {
        volatile Instant now;

        TestClock(Instant start) {
            now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final PolicyDatabase database = new PolicyDatabase();
    final List<HikariDataSource> pools = new ArrayList<>();
    final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
    final TestClock clock = new TestClock(Instant.parse("2025-03-10T12:00:00Z"));
    final AgentId agent = new AgentId(UUID.randomUUID());
    final ExecutorService threads = Executors.newFixedThreadPool(8);

    final AuditLog audit = new AuditLog() {
        public AuditRecord append(AuditEvent event) {
            audited.add(event);
            return new AuditRecord(audited.size(), Instant.EPOCH, 1, event, new byte[32]);
        }

        public CompletableFuture<AuditRecord> appendQueued(AuditEvent event) {
            return CompletableFuture.completedFuture(append(event));
        }
    };

    PostgresRateLimits instance(RateLimitProperties settings) {
        HikariDataSource pool = database.pool();
        pools.add(pool);
        return new PostgresRateLimits(
                JdbcClient.create(pool),
                new TransactionTemplate(new DataSourceTransactionManager(pool)),
                audit,
                clock,
                settings);
    }

    @AfterEach
    void close() {
        threads.shutdownNow();
        pools.forEach(HikariDataSource::close);
    }

    /** Calls from {@code callers} threads on each instance until each thread is refused once; returns the calls admitted. */
    int hammer(List<PostgresRateLimits> instances, int callers, List<Admission.Refused> refusals) throws Exception {
        AtomicInteger admitted = new AtomicInteger();
        List<Future<?>> running = new ArrayList<>();
        for (PostgresRateLimits instance : instances) {
            for (int i = 0; i < callers; i++) {
                running.add(threads.submit(() -> {
                    for (int calls = 0; calls < 100_000; calls++) {
                        if (instance.admit(agent, TOOL) instanceof Admission.Refused refused) {
                            refusals.add(refused);
                            return;
                        }
                        admitted.incrementAndGet();
                    }
                    throw new AssertionError("never refused");
                }));
            }
        }
        for (Future<?> each : running) {
            each.get();
        }
        return admitted.get();
    }

    @Test
    void twoInstancesTogetherAdmitNoMoreThanTheRateAndItsDocumentedSlack() throws Exception {
        PostgresRateLimits a = instance(SETTINGS);
        PostgresRateLimits b = instance(SETTINGS);
        double rate = 50;
        int burst = 20;
        a.setToolDefault(TOOL, new Limit(rate, burst, null, null), null, "ada");
        int lease = (int) Math.max(1, Math.min(burst, Math.ceil(rate * 0.1))); // L = 5
        int slack = 2 * (lease - 1); // two instances, as the class comment says

        List<Admission.Refused> refusals = new CopyOnWriteArrayList<>();
        int admitted = hammer(List.of(a, b), 3, refusals);
        assertThat(admitted)
                .as("at one instant: the burst, and never more")
                .isLessThanOrEqualTo(burst)
                .isGreaterThanOrEqualTo(burst - slack);
        assertThat(refusals).allSatisfy(refused -> {
            assertThat(refused.reason()).isEqualTo(ReasonCodes.RATE_LIMITED);
            assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        });

        int steps = 30;
        for (int step = 0; step < steps; step++) {
            clock.advance(Duration.ofMillis(100));
            admitted += hammer(List.of(a, b), 2, refusals);
        }
        double seconds = steps * 0.1;
        assertThat(admitted)
                .as("over %s s two instances admit the burst, the rate and at most the slack", seconds)
                .isLessThanOrEqualTo((int) (burst + rate * seconds + slack))
                .isGreaterThanOrEqualTo((int) (burst + rate * seconds - slack - 1));
        assertThat(admitted)
                .as("a limiter per instance would have allowed twice as many")
                .isLessThan((int) (2 * (burst + rate * seconds)) - slack);
    }

    @Test
    void aDailyQuotaAdmitsExactlyItsCallsAcrossBothInstancesAndResetsAtMidnightUtc() throws Exception {
        clock.now = Instant.parse("2025-03-10T23:59:00Z");
        PostgresRateLimits a = instance(SETTINGS);
        PostgresRateLimits b = instance(SETTINGS);
        a.setOverride(agent, TOOL, new Limit(1_000_000, 1_000_000, 137L, null), null, "ada");

        List<Admission.Refused> refusals = new CopyOnWriteArrayList<>();
        int admitted = hammer(List.of(a, b), 4, refusals);
        assertThat(admitted).isLessThanOrEqualTo(137);
        admitted += drain(a, b);
        assertThat(admitted).as("exactly the quota, across both instances").isEqualTo(137);
        assertThat(a.admit(agent, TOOL)).isEqualTo(new Admission.Refused(ReasonCodes.QUOTA_EXHAUSTED, 60));
        assertThat(b.usage(agent, List.of(TOOL))).singleElement().satisfies(usage -> {
            assertThat(usage.source()).isEqualTo(RateLimits.Source.AGENT);
            assertThat(usage.daily().used()).isEqualTo(137);
            assertThat(usage.daily().remaining()).isZero();
            assertThat(usage.daily().resetsAt()).isEqualTo(Instant.parse("2025-03-11T00:00:00Z"));
            assertThat(usage.monthly().quota()).isNull();
        });

        clock.advance(Duration.ofMinutes(1));
        assertThat(b.admit(agent, TOOL)).as("a new UTC day").isInstanceOf(Admission.Admitted.class);
        assertThat(a.usage(agent, List.of(TOOL)).getFirst().daily().remaining())
                .isLessThan(137)
                .isGreaterThanOrEqualTo(137 - 9);
    }

    @Test
    void aMonthlyQuotaIsExactAndSaysWhenTheMonthEnds() throws Exception {
        clock.now = Instant.parse("2025-03-31T23:59:30Z");
        PostgresRateLimits a = instance(SETTINGS);
        PostgresRateLimits b = instance(SETTINGS);
        a.setToolDefault(TOOL, new Limit(1_000_000, 1_000_000, null, 41L), null, "ada");
        int admitted = hammer(List.of(a, b), 3, new CopyOnWriteArrayList<>()) + drain(a, b);
        assertThat(admitted).isEqualTo(41);
        assertThat(b.admit(agent, TOOL)).isEqualTo(new Admission.Refused(ReasonCodes.QUOTA_EXHAUSTED, 30));
        clock.advance(Duration.ofSeconds(30));
        assertThat(a.admit(agent, TOOL)).as("April").isInstanceOf(Admission.Admitted.class);
    }

    /** Calls both instances in turn until both refuse one after the other; returns the calls admitted. */
    int drain(PostgresRateLimits a, PostgresRateLimits b) {
        int admitted = 0;
        int refusedInARow = 0;
        for (int turn = 0; refusedInARow < 2; turn++) {
            if ((turn % 2 == 0 ? a : b).admit(agent, TOOL) instanceof Admission.Admitted) {
                admitted++;
                refusedInARow = 0;
            } else {
                refusedInARow++;
            }
        }
        return admitted;
    }

    @Test
    void quotaLeasedButNotSpentComesBackWhenTheLeaseExpires() {
        PostgresRateLimits a = instance(SETTINGS);
        PostgresRateLimits b = instance(SETTINGS);
        a.setToolDefault(TOOL, new Limit(1000, 1000, 160L, null), null, "ada");
        assertThat(a.admit(agent, TOOL)).isInstanceOf(Admission.Admitted.class);
        long leased = 160 / 16; // a sixteenth of what remains
        assertThat(b.usage(agent, List.of(TOOL)).getFirst().daily().used())
                .as("the lease is counted")
                .isEqualTo(leased);

        clock.advance(Duration.ofSeconds(2));
        a.returnLeases(false);
        assertThat(b.usage(agent, List.of(TOOL)).getFirst().daily().used())
                .as("only the call spent stays counted")
                .isEqualTo(1);
    }

    @Test
    void aChangedLimitReachesTheOtherInstanceWithinTheLeaseTtl() {
        PostgresRateLimits a = instance(SETTINGS);
        PostgresRateLimits b = instance(SETTINGS);
        assertThat(a.admit(agent, TOOL)).as("built-in default").isInstanceOf(Admission.Admitted.class);
        b.setOverride(agent, TOOL, new Limit(1, 1, 0L, null), null, "ada");
        assertThat(b.admit(agent, TOOL))
                .as("at once where it was made")
                .isEqualTo(new Admission.Refused(ReasonCodes.QUOTA_EXHAUSTED, 12 * 3600));
        clock.advance(Duration.ofSeconds(1));
        assertThat(a.admit(agent, TOOL))
                .as("after the lease ttl on the other instance")
                .isInstanceOf(Admission.Refused.class);
    }

    @Test
    void changesAreAuditedWithOldAndNewValuesAndStaleVersionsAreRefused() {
        PostgresRateLimits a = instance(SETTINGS);
        assertThat(a.toolLimits(TOOL).source()).isEqualTo(RateLimits.Source.BUILT_IN);
        assertThat(a.toolLimits(TOOL).limit()).isEqualTo(new Limit(100, 200, null, null));
        var first = a.setToolDefault(TOOL, new Limit(10, 20, 1000L, null), 0L, "ada");
        assertThat(first.version()).isEqualTo(1);
        assertThat(a.setToolDefault(TOOL, new Limit(10, 20, 1000L, null), 1L, "ada")
                        .version())
                .as("the same values: no change")
                .isEqualTo(1);
        assertThatThrownBy(() -> a.setToolDefault(TOOL, new Limit(5, 20, 1000L, null), 0L, "bob"))
                .isInstanceOfSatisfying(RateLimitRefused.class, e -> {
                    assertThat(e.code()).isEqualTo("stale-version");
                    assertThat(Problems.status(e.kind()).value()).isEqualTo(409);
                });
        a.setOverride(agent, TOOL, new Limit(1, 1, null, 5L), null, "ada");
        assertThat(a.toolLimits(TOOL).overrides())
                .singleElement()
                .satisfies(o -> assertThat(o.agent()).isEqualTo(agent));
        assertThat(a.removeOverride(agent, TOOL, "ada")).isTrue();
        assertThat(a.removeOverride(agent, TOOL, "ada")).as("already gone").isFalse();

        assertThat(audited)
                .extracting(AuditEvent::action)
                .containsExactly("rate_limit.default_set", "rate_limit.override_set", "rate_limit.override_removed");
        assertThat(audited.getFirst().details())
                .containsEntry("old", "none")
                .containsEntry("new", "rate=10.0/s burst=20 daily=1000 monthly=none");
        assertThat(audited.getFirst().actor().id()).isEqualTo("ada");
        assertThat(audited.getLast().details())
                .containsEntry("old", "rate=1.0/s burst=1 daily=none monthly=5")
                .containsEntry("new", "none")
                .containsEntry("agentId", agent.toString());
    }

    @Test
    void anUnreachableStoreRefusesTheCall() {
        HikariDataSource nowhere = new HikariDataSource();
        nowhere.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/none");
        nowhere.setConnectionTimeout(250);
        nowhere.setInitializationFailTimeout(-1);
        pools.add(nowhere);
        var limits = new PostgresRateLimits(
                JdbcClient.create(nowhere),
                new TransactionTemplate(new DataSourceTransactionManager(nowhere)),
                audit,
                clock,
                SETTINGS);
        assertThat(limits.admit(agent, TOOL)).isEqualTo(new Admission.Refused(ReasonCodes.RATE_LIMIT_UNAVAILABLE, 1));
    }

    @Test
    void limitsOutsideTheirRangeAreRefused() {
        assertThatThrownBy(() -> new Limit(0, 1, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Limit(Double.NaN, 1, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Limit(1, 0, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Limit(1, 1, -1L, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RateLimitProperties(100, 200, Duration.ZERO, Duration.ofSeconds(1), 0.1))
                .hasMessageContaining("lease-window");
    }
}
