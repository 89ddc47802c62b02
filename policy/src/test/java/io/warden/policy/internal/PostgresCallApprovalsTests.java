package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRecord;
import io.warden.policy.CallApproval;
import io.warden.policy.CallApprovalRefused;
import io.warden.policy.OnBehalfOf;
import io.warden.policy.ToolCall;
import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.RiskTier;
import io.warden.registry.Role;
import io.warden.registry.SensitivityLabel;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.JdkIdGenerator;

/**
 * Per-call approvals on a real PostgreSQL, with a clock the test moves: an approval admits exactly the call it was
 * given for, once, before it expires; of racing resubmissions exactly one gets it; a lapsed call cannot be decided;
 * PHI calls are compliance's alone, and nobody decides their own agent's call or one made on their behalf. Every step
 * is audited.
 */
class PostgresCallApprovalsTests {

    static final AgentId AGENT = new AgentId(UUID.randomUUID());
    static final String OWNER = "owner-1";

    final PolicyDatabase database = new PolicyDatabase();
    final HikariDataSource pool = database.pool();
    final PostgresRateLimitsTests.TestClock clock =
            new PostgresRateLimitsTests.TestClock(Instant.parse("2026-03-10T12:00:00Z"));
    final List<AuditEvent> audited = new CopyOnWriteArrayList<>();
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

    final Actor compliance = Actor.person("carla", Set.of(Role.COMPLIANCE));
    final Actor admin = Actor.person("ada", Set.of(Role.ADMIN));
    final Actor secops = Actor.person("sam", Set.of(Role.SECOPS));

    final PostgresCallApprovals approvals = new PostgresCallApprovals(
            JdbcClient.create(pool),
            new TransactionTemplate(new DataSourceTransactionManager(pool)),
            audit,
            clock,
            new JdkIdGenerator(),
            stub(AgentQueries.class, (name, args) -> name.equals("get") ? agent() : null),
            stub(CatalogQueries.class, (name, args) -> {
                String key = (String) args[0];
                if (key.equals("gone")) {
                    throw new RegistryException.NotFound("data-scope", key);
                }
                return scope(key, key.endsWith("-phi"));
            }),
            stub(Directory.class, (name, args) -> Optional.empty()),
            new ApprovalProperties(Duration.ofMinutes(15), URI.create("https://warden.example.org/")));

    @AfterEach
    void close() {
        threads.shutdownNow();
        pool.close();
    }

    interface Answer {
        @Nullable
        Object answer(String method, Object[] args);
    }

    @SuppressWarnings("unchecked")
    static <T> T stub(Class<T> type, Answer answer) {
        return (T) Proxy.newProxyInstance(
                type.getClassLoader(),
                new Class<?>[] {type},
                (proxy, method, args) -> answer.answer(method.getName(), args == null ? new Object[0] : args));
    }

    static AgentView agent() {
        return new AgentView(
                AGENT,
                "Agent",
                AgentKind.RETRIEVAL,
                "p",
                AgentStatus.ACTIVE,
                OWNER,
                "client-1",
                null,
                RiskTier.LOW,
                new TreeSet<>(),
                new TreeSet<>(),
                new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                new TreeSet<>(),
                Instant.EPOCH,
                Instant.EPOCH,
                Instant.EPOCH,
                null,
                null,
                false,
                1);
    }

    static DataScopeView scope(String key, boolean phi) {
        return new DataScopeView(
                key,
                key,
                "",
                SensitivityLabel.CONFIDENTIAL,
                phi,
                !phi,
                new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                new TreeSet<>(),
                false,
                1);
    }

    static PeopleInTheLoop.Pending call(String dataset, String digest, @Nullable OnBehalfOf person) {
        return new PeopleInTheLoop.Pending(
                "client-1",
                AGENT.toString(),
                "Agent",
                "text-search",
                dataset,
                "TREAT",
                sha256(digest),
                Map.of("text", "CT chest"),
                person,
                null,
                null,
                ToolCall.Edge.REST);
    }

    /** The audit trail takes digests only: a test's short name stands for the digest of some arguments. */
    static String sha256(String name) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    List<String> actions() {
        return audited.stream().map(AuditEvent::action).toList();
    }

    @Test
    void anApprovalAdmitsExactlyItsCallOnceAndIsAuditedAtEachStep() {
        var parked = approvals.park(call("ct", "d1", null));
        assertThat(parked.link())
                .isEqualTo(URI.create("https://warden.example.org/portal/approvals/calls/" + parked.approvalId()));
        assertThat(parked.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
        assertThat(approvals.valid(parked.approvalId(), call("ct", "d1", null)))
                .as("pending")
                .isFalse();

        CallApproval approved = approvals.approve(parked.approvalId(), "fine", compliance);
        assertThat(approved.state()).isEqualTo("APPROVED");
        assertThat(approvals.valid(parked.approvalId(), call("ct", "d2", null)))
                .as("other arguments")
                .isFalse();
        assertThat(approvals.valid(parked.approvalId(), call("other", "d1", null)))
                .as("other dataset")
                .isFalse();
        assertThat(approvals.valid(parked.approvalId(), call("ct", "d1", null))).isTrue();
        assertThat(approvals.consume(parked.approvalId(), call("ct", "d2", null)))
                .isFalse();
        assertThat(approvals.consume(parked.approvalId(), call("ct", "d1", null)))
                .isTrue();
        assertThat(approvals.consume(parked.approvalId(), call("ct", "d1", null)))
                .as("single use")
                .isFalse();
        assertThat(approvals.valid(parked.approvalId(), call("ct", "d1", null))).isFalse();
        assertThat(actions()).containsExactly("approval.requested", "approval.granted", "approval.used");
    }

    @Test
    void ofRacingResubmissionsExactlyOneUsesTheApproval() throws Exception {
        var parked = approvals.park(call("ct", "d1", null));
        approvals.approve(parked.approvalId(), "fine", admin);
        List<Future<Boolean>> racing = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            racing.add(threads.submit(() -> approvals.consume(parked.approvalId(), call("ct", "d1", null))));
        }
        int used = 0;
        for (Future<Boolean> each : racing) {
            used += each.get() ? 1 : 0;
        }
        assertThat(used).isEqualTo(1);
        assertThat(actions().stream().filter("approval.used"::equals)).hasSize(1);
    }

    @Test
    void anApprovalCannotBeUsedAfterItExpiresNorALapsedCallDecided() {
        var approved = approvals.park(call("ct", "d1", null));
        approvals.approve(approved.approvalId(), "fine", compliance);
        var pending = approvals.park(call("ct", "d2", null));
        clock.advance(Duration.ofMinutes(15));
        assertThat(approvals.valid(approved.approvalId(), call("ct", "d1", null)))
                .isFalse();
        assertThat(approvals.consume(approved.approvalId(), call("ct", "d1", null)))
                .isFalse();
        assertThat(approvals.call(approved.approvalId(), compliance).state()).isEqualTo("EXPIRED");
        assertThatThrownBy(() -> approvals.approve(pending.approvalId(), "late", compliance))
                .isInstanceOfSatisfying(
                        CallApprovalRefused.class, e -> assertThat(e.code()).isEqualTo("expired"));
        assertThat(approvals.call(pending.approvalId(), compliance).state()).isEqualTo("EXPIRED");
        assertThat(actions()).contains("approval.expired").doesNotContain("approval.used");
    }

    @Test
    void phiCallsAreComplianceAloneAndNobodyDecidesTheirOwnAgentOrTheirOwnCall() {
        var phi = approvals.park(call("derm-phi", "d1", null));
        assertThatThrownBy(() -> approvals.call(phi.approvalId(), admin))
                .as("an admin does not read PHI arguments")
                .isInstanceOfSatisfying(
                        CallApprovalRefused.class, e -> assertThat(e.code()).isEqualTo("not-found"));
        assertThat(approvals.calls(admin, 100)).isEmpty();
        assertThat(approvals.calls(compliance, 100))
                .extracting(CallApproval::id)
                .containsExactly(phi.approvalId());

        var removedScope = approvals.park(call("gone", "d1", null));
        assertThatThrownBy(() -> approvals.approve(removedScope.approvalId(), "ok", admin))
                .as("an unreadable scope counts as PHI")
                .isInstanceOf(CallApprovalRefused.class);

        var plain = approvals.park(call("ct", "d1", new OnBehalfOf("carla", "token-exchange")));
        assertThatThrownBy(() -> approvals.approve(plain.approvalId(), "mine", compliance))
                .isInstanceOfSatisfying(
                        CallApprovalRefused.class, e -> assertThat(e.code()).isEqualTo("not-permitted"));
        Actor owningAdmin = Actor.person(OWNER, Set.of(Role.ADMIN));
        assertThatThrownBy(() -> approvals.approve(plain.approvalId(), "own agent", owningAdmin))
                .isInstanceOfSatisfying(
                        CallApprovalRefused.class, e -> assertThat(e.code()).isEqualTo("not-permitted"));
        assertThatThrownBy(() -> approvals.approve(plain.approvalId(), "not mine", secops))
                .isInstanceOf(CallApprovalRefused.class);
        assertThatThrownBy(() -> approvals.approve(plain.approvalId(), "   ", admin))
                .isInstanceOfSatisfying(
                        CallApprovalRefused.class, e -> assertThat(e.field()).isEqualTo("reason"));
        assertThat(approvals.deny(plain.approvalId(), "no", admin).state()).isEqualTo("DENIED");
        assertThatThrownBy(() -> approvals.approve(plain.approvalId(), "changed my mind", admin))
                .isInstanceOfSatisfying(
                        CallApprovalRefused.class, e -> assertThat(e.code()).isEqualTo("not-pending"));
        assertThat(approvals.valid(plain.approvalId(), call("ct", "d1", null))).isFalse();
        assertThat(actions()).contains("approval.denied").doesNotContain("approval.granted");
    }

    @Test
    void aHostileApprovalIdIsNeverValid() {
        assertThat(approvals.valid("'; drop table call_approval; --", call("ct", "d1", null)))
                .isFalse();
        assertThat(approvals.consume(UUID.randomUUID().toString(), call("ct", "d1", null)))
                .isFalse();
        assertThatThrownBy(() -> approvals.call("nope", compliance)).isInstanceOf(CallApprovalRefused.class);
    }

    @Test
    void theSettingsRefuseATtlOutOfRangeAndAPortalUrlThatIsNotAnHttpAddress() {
        assertThatThrownBy(() -> new ApprovalProperties(Duration.ofSeconds(5), URI.create("https://w.example.org")))
                .hasMessageContaining("warden.approvals.ttl");
        assertThatThrownBy(() -> new ApprovalProperties(Duration.ofMinutes(15), URI.create("javascript:alert(1)")))
                .hasMessageContaining("warden.approvals.portal-url");
        assertThatThrownBy(() -> new ApprovalProperties(Duration.ofMinutes(15), URI.create("/relative")))
                .hasMessageContaining("warden.approvals.portal-url");
    }
}
