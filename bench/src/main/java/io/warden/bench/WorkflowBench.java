package io.warden.bench;

import io.warden.WardenApplication;
import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.LifecycleRuleBook;
import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.Agents;
import io.warden.registry.ApprovalQueries;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.Approvals;
import io.warden.registry.Commands;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Lifecycle workflows on the embedded engine, inside a real Warden (embedded PostgreSQL, fsync on).
 * <ul>
 *   <li>{@code sweep}: 100,000 agents written straight into the registry's table (10% dormant, 1% owned by
 *       people disabled in the directory, the rest in use), then one sweep of the lifecycle rules, timed
 *       until it has started every process; a second sweep must start none (each process started once).
 *       Prints {@code sweep_100k_agents_s}.</li>
 *   <li>{@code onboarding}: {@code --onboardings} registrations submitted and approved through the
 *       registry, timed until every agent is ACTIVE: each runs the whole onboarding process (owner checked
 *       in the directory, risk classified, decision delivered, identity provisioned in the embedded
 *       provider, agent activated, every step audited). Prints {@code onboardings_per_s}.</li>
 * </ul>
 * Arguments: {@code --agents 100000 --onboardings 200}.
 */
public final class WorkflowBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String OTTO = "3f1c2a9e-7b1d-4e0a-9c11-000000000a02";
    static final Actor OWNER = Actor.person(OTTO, Set.of(Role.OWNER));
    static final Actor COMPLIANCE = Actor.person("3f1c2a9e-7b1d-4e0a-9c11-000000000a04", Set.of(Role.COMPLIANCE));

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int agents = Integer.parseInt(options.getOrDefault("agents", "100000"));
        int onboardings = Integer.parseInt(options.getOrDefault("onboardings", "200"));
        Path data = Files.createTempDirectory("warden-workflow-bench");
        Map<String, Object> results = new LinkedHashMap<>();
        try (ConfigurableApplicationContext warden = new SpringApplicationBuilder(WardenApplication.class)
                .run(
                        "--server.port=0",
                        "--warden.data-dir=" + data,
                        "--logging.level.root=WARN",
                        "--warden.lifecycle.sweep-interval=PT24H")) {
            onboarding(warden, onboardings, results);
            sweep(warden, agents, results);
        }
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
    }

    static void onboarding(ConfigurableApplicationContext warden, int count, Map<String, Object> results)
            throws InterruptedException {
        Agents agents = warden.getBean(Agents.class);
        AgentQueries queries = warden.getBean(AgentQueries.class);
        Approvals approvals = warden.getBean(Approvals.class);
        ApprovalQueries approvalQueries = warden.getBean(ApprovalQueries.class);
        List<AgentId> ids = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            var command = new Commands.RegisterAgent(
                    "Bench onboarding " + i + " " + UUID.randomUUID(),
                    AgentKind.RETRIEVAL,
                    "Onboarding benchmark",
                    OTTO,
                    null,
                    new TreeSet<>(Set.of("imaging-ct-deid")),
                    new TreeSet<>(Set.of("text-search")),
                    new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                    true);
            AgentId id = agents.register(command, null, OWNER).agent().id();
            ids.add(id);
            var pending =
                    approvalQueries.approvals(ApprovalStatus.PENDING, id, 0, 1).items();
            approvals.approve(pending.getFirst().id(), "benchmark", COMPLIANCE);
        }
        long submitted = System.nanoTime();
        for (AgentId id : ids) {
            while (queries.get(id).status() != AgentStatus.ACTIVE) {
                Thread.sleep(20);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        results.put("onboardings", count);
        results.put("onboarding_total_s", Math.round(seconds * 100) / 100.0);
        results.put("onboarding_submit_and_approve_s", Math.round((submitted - started) / 1e7) / 100.0);
        results.put("onboardings_per_s", Math.round(count / seconds * 10) / 10.0);
        System.err.printf("onboarding: %d agents ACTIVE in %.1f s (%.1f/s)%n", count, seconds, count / seconds);
    }

    static void sweep(ConfigurableApplicationContext warden, int agents, Map<String, Object> results) {
        JdbcClient jdbc = JdbcClient.create(warden.getBean(DataSource.class));
        int dormant = agents / 10;
        int orphaned = agents / 100;
        // 1,000 owners, 10 of them (1%) disabled; the orphaned agents belong to those
        jdbc.sql("""
                insert into directory_user (id, user_principal_name, display_name, account_enabled, updated_at)
                select 'bench-owner-' || g, 'bench-owner-' || g || '@bench.local', 'Bench owner ' || g, g > 10, now()
                from generate_series(1, 1000) g""").update();
        jdbc.sql("""
                insert into agent (id, name, kind, purpose, status, owner_id, risk_tier, requested_scopes, requested_tools,
                    data_scopes, tools, created_by, created_at, updated_at, approved_at, last_active_at, recertify_by, version)
                select gen_random_uuid(), 'bench-agent-' || g, 'RETRIEVAL', 'Sweep benchmark', 'ACTIVE',
                    case when g <= :orphaned then 'bench-owner-' || (1 + g % 10) else 'bench-owner-' || (11 + g % 990) end,
                    'LOW', '{imaging-ct-deid}', '{text-search}', '{imaging-ct-deid}', '{text-search}', 'bench', now(), now(),
                    now() - interval '400 days',
                    case when g > :orphaned and g <= :orphaned + :dormant then now() - interval '200 days' else now() - interval '1 day' end,
                    now() + interval '60 days', 1
                from generate_series(1, :agents) g""")
                .param("orphaned", orphaned)
                .param("dormant", dormant)
                .param("agents", agents)
                .update();
        jdbc.sql("analyze agent").update();
        LifecycleRuleBook rules = warden.getBean(LifecycleRuleBook.class);
        Instant now = Instant.now();
        LifecycleRuleBook.Sweep first = rules.sweep(now);
        LifecycleRuleBook.Sweep second = rules.sweep(now);
        results.put("agents", agents);
        results.put("sweep_started", first.started());
        results.put("sweep_100k_agents_s", Math.round(first.millis() / 10.0) / 100.0);
        results.put("second_sweep_started", second.started());
        results.put("second_sweep_s", Math.round(second.millis() / 10.0) / 100.0);
        boolean once = Objects.equals(first.started().get("dormancy"), dormant)
                && Objects.equals(first.started().get("orphaned-owner"), orphaned)
                && second.started().values().stream().allMatch(n -> n == 0);
        results.put("processes_started_exactly_once", once);
        System.err.printf(
                "sweep of %d agents: %s in %.2f s; again: %s in %.2f s%n",
                agents, first.started(), first.millis() / 1e3, second.started(), second.millis() / 1e3);
        if (!once) {
            throw new IllegalStateException(
                    "expected " + dormant + " retirements and " + orphaned + " orphan processes once, got "
                            + first.started() + " then " + second.started() + " (" + BpmnProcesses.RETIREMENT + ")");
        }
    }

    private WorkflowBench() {}
}
