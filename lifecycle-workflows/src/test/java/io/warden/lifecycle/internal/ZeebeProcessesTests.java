package io.warden.lifecycle.internal;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.warden.bpmn.BpmnProcesses;
import io.warden.bpmn.BpmnProcesses.Messages;
import io.warden.bpmn.BpmnProcesses.TaskTypes;
import io.warden.lifecycle.BreakGlassOversight;
import io.warden.lifecycle.BreakGlassReview;
import io.warden.lifecycle.JobResult;
import io.warden.lifecycle.WorkflowRefused;
import io.warden.registry.Actor;
import io.warden.registry.AgentActivity;
import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.AgentViews;
import io.warden.registry.Agents;
import io.warden.registry.ApprovalQueries;
import io.warden.registry.Approvals;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.IdentityProvisioner;
import io.warden.registry.Page;
import io.warden.registry.Role;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.AlternativeJdkIdGenerator;

/**
 * Each of Warden's processes, messages and timers included, run to its end on a real Zeebe engine by
 * the Camunda 8 adapter with Warden's own handlers ({@link LifecycleTasks}); their collaborators are fakes
 * (an in-memory registry, directory and identity provider) except the notifications, kept in PostgreSQL.
 * The cohort build's handlers live with the cohort feature outside this module; stand-ins that complete
 * or throw its BPMN error drive its paths here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZeebeProcessesTests {

    final RecordingAuditLog audit = new RecordingAuditLog();
    final Map<AgentId, AgentView> agents = new ConcurrentHashMap<>();
    final List<String> identityCalls = new CopyOnWriteArrayList<>();
    final List<String> cohortSteps = new CopyOnWriteArrayList<>();
    EmbeddedPostgres postgres;
    ZeebeInMemory zeebe;
    ZeebeSearchFake search;
    Camunda8WorkflowEngine engine;
    BreakGlassReviewService breakGlass;

    @BeforeAll
    void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        Flyway.configure()
                .dataSource(postgres.getPostgresDatabase())
                .locations("classpath:db/migration/lifecycle")
                .load()
                .migrate();
        zeebe = ZeebeInMemory.start();
        search = ZeebeSearchFake.start(zeebe);
        engine = ZeebeSearchFake.adapter(zeebe, search, new JobDispatcher(audit, Duration.ofMillis(100)));
        Notifications notifications = new Notifications(
                JdbcClient.create(postgres.getPostgresDatabase()),
                audit,
                Clock.systemUTC(),
                new AlternativeJdkIdGenerator(),
                List.of());
        Object registry = registry();
        new LifecycleTasks(
                        (Agents) registry,
                        (AgentQueries) registry,
                        (Approvals) registry,
                        (ApprovalQueries) registry,
                        (AgentActivity) registry,
                        directory(),
                        identities(),
                        notifications,
                        Clock.systemUTC(),
                        () -> 365)
                .registerWith(engine);
        for (String step : TaskTypes.COLLECTION) {
            engine.register(step, job -> {
                cohortSteps.add(job.agentId() + " " + step);
                return step.equals(TaskTypes.COLLECTION_INGEST) && job.agentId().contains("unreadable")
                        ? new JobResult.BpmnError(
                                BpmnProcesses.Errors.COLLECTION_BUILD_STOPPED, "the input cannot be read")
                        : JobResult.complete();
            });
        }
        for (String step : TaskTypes.COHORT) {
            engine.register(step, job -> {
                cohortSteps.add(job.agentId() + " " + step);
                return step.equals(TaskTypes.COHORT_CLASSIFY) && job.agentId().startsWith("stopped")
                        ? new JobResult.BpmnError(
                                BpmnProcesses.Errors.COHORT_STOPPED, "a kill switch covers the builder")
                        : JobResult.complete(Map.of(step.replace("-", "") + "Done", true));
            });
        }
        breakGlass = new BreakGlassReviewService(
                JdbcClient.create(postgres.getPostgresDatabase()),
                new TransactionTemplate(new DataSourceTransactionManager(postgres.getPostgresDatabase())),
                engine,
                notifications,
                audit,
                directory(),
                Clock.systemUTC(),
                Duration.ofSeconds(1));
        breakGlass.registerWith(engine);
        engine.start();
        engine.deploy(BpmnProcesses.ALL.stream().map(BpmnProcesses::resource).toList());
    }

    @AfterAll
    void stop() throws Exception {
        engine.destroy();
        search.close();
        zeebe.close();
        postgres.close();
    }

    @Test
    void onboardingRemindsTheApproversAfterThreeDaysAndActivatesTheAgentOnceApproved() {
        AgentView agent = agent(AgentStatus.PENDING_APPROVAL, "owner-active", null);
        engine.start(BpmnProcesses.ONBOARDING, agent.id().toString(), Map.of());
        awaitTimer(BpmnProcesses.ONBOARDING, agent);
        zeebe.increaseTime(Duration.ofDays(4));
        await().atMost(Duration.ofSeconds(20)).until(() -> notified("role:ADMIN", agent));
        engine.correlate(Messages.AGENT_APPROVED, agent.id().toString(), Map.of("approvedBy", "carla"));
        awaitEnd(BpmnProcesses.ONBOARDING, agent, "active");
        assertThat(stored(agent).status()).isEqualTo(AgentStatus.ACTIVE);
        assertThat(stored(agent).clientId()).isEqualTo("client-" + agent.id());
        assertThat(identityCalls).contains("provision " + agent.id());
    }

    @Test
    void onboardingEndsAtTheInvalidOwnerWhenTheDirectoryDoesNotKnowTheOwner() {
        AgentView agent = agent(AgentStatus.PENDING_APPROVAL, "owner-gone", null);
        engine.start(BpmnProcesses.ONBOARDING, agent.id().toString(), Map.of());
        awaitEnd(BpmnProcesses.ONBOARDING, agent, "endInvalidOwner");
        assertThat(stored(agent).status()).isEqualTo(AgentStatus.PENDING_APPROVAL);
    }

    @Test
    void recertificationSuspendsAfterFourteenDaysAndALateAttestationReinstates() {
        AgentView agent = agent(AgentStatus.ACTIVE, "owner-active", "client-r");
        engine.start(BpmnProcesses.RECERTIFICATION, agent.id().toString(), Map.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> notified("owner-active", agent));
        awaitTimer(BpmnProcesses.RECERTIFICATION, agent);
        zeebe.increaseTime(Duration.ofDays(15));
        await().atMost(Duration.ofSeconds(20)).until(() -> stored(agent).status() == AgentStatus.SUSPENDED);
        awaitTimer(BpmnProcesses.RECERTIFICATION, agent);
        engine.correlate(Messages.AGENT_ATTESTED, agent.id().toString(), Map.of());
        awaitEnd(BpmnProcesses.RECERTIFICATION, agent, "reinstated");
        assertThat(stored(agent).status()).isEqualTo(AgentStatus.ACTIVE);
        assertThat(stored(agent).recertifyBy()).isNotNull();
    }

    @Test
    void anOrphanedAgentsManagerIsToldAndTheAgentSuspendedAfterFourteenDays() {
        AgentView agent = agent(AgentStatus.ACTIVE, "owner-left", "client-o");
        engine.start(BpmnProcesses.ORPHANED, agent.id().toString(), Map.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> notified("manager-1", agent));
        awaitTimer(BpmnProcesses.ORPHANED, agent);
        zeebe.increaseTime(Duration.ofDays(15));
        awaitEnd(BpmnProcesses.ORPHANED, agent, "suspended");
        assertThat(stored(agent).status()).isEqualTo(AgentStatus.SUSPENDED);
    }

    @Test
    void aDormantAgentNobodyKeepsLosesItsIdentityAndIsRetiredAfterTheGracePeriod() {
        AgentView agent = agent(AgentStatus.ACTIVE, "owner-active", "client-d");
        engine.start(BpmnProcesses.RETIREMENT, agent.id().toString(), Map.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> notified("owner-active", agent));
        awaitTimer(BpmnProcesses.RETIREMENT, agent);
        zeebe.increaseTime(Duration.ofDays(15));
        awaitEnd(BpmnProcesses.RETIREMENT, agent, "retired");
        assertThat(stored(agent).status()).isEqualTo(AgentStatus.RETIRED);
        assertThat(identityCalls).contains("disable " + agent.id());
    }

    @Test
    void anIncidentSuspendsTheAgentAndDisablesItsIdentityUntilSecurityReinstatesIt() {
        AgentView agent = agent(AgentStatus.ACTIVE, "owner-active", "client-i");
        engine.start(BpmnProcesses.INCIDENT, agent.id().toString(), Map.of("incidentReason", "kill switch GLOBAL"));
        await().atMost(Duration.ofSeconds(20)).until(() -> identityCalls.contains("disable " + agent.id()));
        assertThat(stored(agent).status()).isEqualTo(AgentStatus.SUSPENDED);
        engine.correlate(Messages.INCIDENT_REINSTATE, agent.id().toString(), Map.of("resolvedBy", "sam"));
        awaitEnd(BpmnProcesses.INCIDENT, agent, "reinstated");
        assertThat(stored(agent).status()).isEqualTo(AgentStatus.ACTIVE);
        assertThat(identityCalls).contains("enable " + agent.id());
    }

    @Test
    void theCohortBuildRunsItsParallelBranchesAndPublishesOrEndsThroughItsFailureStep() {
        String builder = "builder-" + UUID.randomUUID();
        engine.start(BpmnProcesses.COHORT_INDEX_BUILD, builder, Map.of("runId", "run-1"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> search.endEvent(BpmnProcesses.COHORT_INDEX_BUILD, builder)
                        .isPresent());
        assertThat(search.endEvent(BpmnProcesses.COHORT_INDEX_BUILD, builder)).contains("published");
        assertThat(cohortSteps)
                .filteredOn(s -> s.startsWith(builder))
                .containsExactlyInAnyOrderElementsOf(TaskTypes.COHORT.stream()
                        .filter(s -> !s.equals(TaskTypes.COHORT_FAIL))
                        .map(s -> builder + " " + s)
                        .toList());

        String stopped = "stopped-" + UUID.randomUUID();
        engine.start(BpmnProcesses.COHORT_INDEX_BUILD, stopped, Map.of("runId", "run-2"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> search.endEvent(BpmnProcesses.COHORT_INDEX_BUILD, stopped)
                        .isPresent());
        assertThat(search.endEvent(BpmnProcesses.COHORT_INDEX_BUILD, stopped)).contains("failed");
        assertThat(cohortSteps)
                .contains(stopped + " " + TaskTypes.COHORT_FAIL)
                .doesNotContain(stopped + " " + TaskTypes.COHORT_PUBLISH);
    }

    @Test
    void theCollectionBuildIngestsThenPublishesOrEndsThroughItsFailureStep() {
        String collection = "collection:notes-" + UUID.randomUUID();
        engine.start(BpmnProcesses.COLLECTION_BUILD, collection, Map.of("collection", "notes", "version", 1L));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> search.endEvent(BpmnProcesses.COLLECTION_BUILD, collection)
                        .isPresent());
        assertThat(search.endEvent(BpmnProcesses.COLLECTION_BUILD, collection)).contains("published");
        assertThat(cohortSteps)
                .filteredOn(s -> s.startsWith(collection))
                .containsExactly(
                        collection + " " + TaskTypes.COLLECTION_INGEST,
                        collection + " " + TaskTypes.COLLECTION_PUBLISH);

        String unreadable = "collection:unreadable-" + UUID.randomUUID();
        engine.start(BpmnProcesses.COLLECTION_BUILD, unreadable, Map.of("collection", "unreadable", "version", 1L));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> search.endEvent(BpmnProcesses.COLLECTION_BUILD, unreadable)
                        .isPresent());
        assertThat(search.endEvent(BpmnProcesses.COLLECTION_BUILD, unreadable)).contains("failed");
        assertThat(cohortSteps)
                .contains(unreadable + " " + TaskTypes.COLLECTION_FAIL)
                .doesNotContain(unreadable + " " + TaskTypes.COLLECTION_PUBLISH);
    }

    @Test
    void aBreakGlassReviewEndsWithComplianceFindingOrEscalatesToSecurityOperationsWhenOverdue() {
        BreakGlassOversight.Use reviewed = breakGlassUse();
        breakGlass.open(reviewed);
        String reviewedKey = BreakGlassReviewService.processKey(reviewed.id());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> search.timerCreated(BpmnProcesses.BREAK_GLASS_REVIEW, reviewedKey));
        assertThat(notifiedAbout("role:COMPLIANCE", reviewed.agentId())).isEqualTo(1);
        assertThatThrownBy(() -> breakGlass.review(
                        reviewed.id(),
                        BreakGlassReview.Finding.JUSTIFIED,
                        "it was me",
                        Actor.person(reviewed.personId(), Set.of(Role.COMPLIANCE))))
                .isInstanceOf(WorkflowRefused.class)
                .hasMessageContaining("does not review it");
        breakGlass.review(
                reviewed.id(),
                BreakGlassReview.Finding.JUSTIFIED,
                "confirmed",
                Actor.person("carla", Set.of(Role.COMPLIANCE)));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> search.endEvent(BpmnProcesses.BREAK_GLASS_REVIEW, reviewedKey)
                        .isPresent());
        assertThat(search.endEvent(BpmnProcesses.BREAK_GLASS_REVIEW, reviewedKey))
                .contains("closed");

        BreakGlassOversight.Use overdue = breakGlassUse();
        breakGlass.open(overdue);
        String overdueKey = BreakGlassReviewService.processKey(overdue.id());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> search.timerCreated(BpmnProcesses.BREAK_GLASS_REVIEW, overdueKey));
        zeebe.increaseTime(Duration.ofMinutes(16));
        await().atMost(Duration.ofSeconds(20)).until(() -> notifiedAbout("role:SECOPS", overdue.agentId()) == 1);
        assertThat(breakGlass.find(overdue.id()).orElseThrow().status()).isEqualTo(BreakGlassReview.Status.ESCALATED);
        breakGlass.review(
                overdue.id(),
                BreakGlassReview.Finding.NOT_JUSTIFIED,
                "no emergency on record",
                Actor.person("sam", Set.of(Role.SECOPS)));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> search.endEvent(BpmnProcesses.BREAK_GLASS_REVIEW, overdueKey)
                        .isPresent());
        assertThat(search.endEvent(BpmnProcesses.BREAK_GLASS_REVIEW, overdueKey))
                .contains("closedLate");
    }

    private static BreakGlassOversight.Use breakGlassUse() {
        return new BreakGlassOversight.Use(
                UUID.randomUUID(),
                "agent-client",
                UUID.randomUUID().toString(),
                "Emergency agent",
                "owner-active",
                "text-search",
                "derm-phi",
                "unconscious patient",
                "0".repeat(64),
                null,
                // a minute ago: past its one-second due time when the first check runs, however fast that is
                Instant.now().minus(Duration.ofMinutes(1)));
    }

    private long notifiedAbout(String recipient, String agentId) {
        return JdbcClient.create(postgres.getPostgresDatabase())
                .sql("select count(*) from notification where recipient = ? and agent_id = ? and process = ?")
                .params(recipient, agentId, BpmnProcesses.BREAK_GLASS_REVIEW)
                .query(Long.class)
                .single();
    }

    private void awaitTimer(String processId, AgentView agent) {
        // the timer's CREATED record is in the engine's log only once the timer is in its state, so the clock may move
        // now; waiting for the engine to be idle instead can time out while job workers keep polling
        await().atMost(Duration.ofSeconds(20))
                .until(() -> search.timerCreated(processId, agent.id().toString()));
    }

    private void awaitEnd(String processId, AgentView agent, String endEvent) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> search.endEvent(processId, agent.id().toString()).isPresent());
        assertThat(search.endEvent(processId, agent.id().toString())).contains(endEvent);
    }

    private boolean notified(String recipient, AgentView agent) {
        return JdbcClient.create(postgres.getPostgresDatabase())
                        .sql("select count(*) from notification where recipient = ? and agent_id = ?")
                        .params(recipient, agent.id().toString())
                        .query(Long.class)
                        .single()
                > 0;
    }

    private AgentView agent(AgentStatus status, String owner, @Nullable String clientId) {
        Instant now = Instant.now();
        AgentView agent = AgentViews.anAgent()
                .withName("agent")
                .withKind(AgentKind.values()[0])
                .withStatus(status)
                .withOwnerId(owner)
                .withClientId(clientId)
                .createdAt(now)
                .updatedAt(now)
                .build();
        agents.put(agent.id(), agent);
        return agent;
    }

    /** The registry fake's current snapshot of {@code agent}, which every test put there. */
    private AgentView stored(AgentView agent) {
        return requireNonNull(agents.get(agent.id()), "the registry fake holds every agent a test made");
    }

    private AgentView with(AgentView a, AgentStatus status, @Nullable String clientId, @Nullable Instant recertifyBy) {
        return AgentViews.from(a)
                .withStatus(status)
                .withClientId(clientId)
                .updatedAt(Instant.now())
                .recertifyBy(recertifyBy)
                .withVersion(a.version() + 1)
                .build();
    }

    /** The registry's calls the handlers make, on a map, behind every port they use; any other call fails the test. */
    private Object registry() {
        return Proxy.newProxyInstance(
                getClass().getClassLoader(),
                new Class<?>[] {
                    Agents.class, AgentQueries.class, Approvals.class, ApprovalQueries.class, AgentActivity.class
                },
                (proxy, method, args) -> {
                    AgentId id = args != null && args.length > 0 && args[0] instanceof AgentId given ? given : null;
                    return switch (method.getName()) {
                        case "get" -> agents.get(id);
                        case "approvals" -> new Page<>(List.of(), 0, 1, 0);
                        case "activate", "reinstate" ->
                            agents.compute(id, (k, a) -> with(a, AgentStatus.ACTIVE, a.clientId(), a.recertifyBy()));
                        case "suspend" ->
                            agents.compute(id, (k, a) -> with(a, AgentStatus.SUSPENDED, a.clientId(), a.recertifyBy()));
                        case "retire" ->
                            agents.compute(id, (k, a) -> with(a, AgentStatus.RETIRED, a.clientId(), a.recertifyBy()));
                        case "recertify" ->
                            agents.compute(
                                    id,
                                    (k, a) -> with(
                                            a,
                                            a.status(),
                                            a.clientId(),
                                            Instant.now().plus(Duration.ofDays(365))));
                        case "assignIdentity" ->
                            agents.compute(id, (k, a) -> with(a, a.status(), (String) args[1], a.recertifyBy()));
                        case "recordLastActivity" -> null;
                        default ->
                            throw new UnsupportedOperationException("the processes do not call " + method.getName());
                    };
                });
    }

    private static Directory directory() {
        return (Directory) Proxy.newProxyInstance(
                ZeebeProcessesTests.class.getClassLoader(), new Class<?>[] {Directory.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("findUser")) {
                        throw new UnsupportedOperationException("the processes do not call " + method.getName());
                    }
                    return switch ((String) args[0]) {
                        case "owner-active" ->
                            Optional.of(new DirectoryUser("owner-active", "a@x", "A", null, true, false, "manager-1"));
                        case "owner-left" ->
                            Optional.of(new DirectoryUser("owner-left", "l@x", "L", null, false, false, "manager-1"));
                        default -> Optional.empty();
                    };
                });
    }

    private IdentityProvisioner identities() {
        return new IdentityProvisioner() {
            @Override
            public String provision(AgentView agent) {
                identityCalls.add("provision " + agent.id());
                return "client-" + agent.id();
            }

            @Override
            public void disable(AgentView agent) {
                identityCalls.add("disable " + agent.id());
            }

            @Override
            public void enable(AgentView agent) {
                identityCalls.add("enable " + agent.id());
            }

            @Override
            public void remove(AgentView agent) {
                identityCalls.add("remove " + agent.id());
            }
        };
    }
}
