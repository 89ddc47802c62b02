package io.warden.lifecycle.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditAnalytics;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.problem.ProblemKind;
import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.LifecycleRule;
import io.warden.lifecycle.LifecycleRuleBook;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.lifecycle.WorkflowRefused;
import io.warden.lifecycle.events.RiskSignalDetected;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The lifecycle rules, stored in {@code lifecycle_rule}, and their sweep. A sweep reads the candidates
 * of each enabled rule in bulk (one query per rule; the owners' directory status in chunks of 1,000) and
 * starts the rule's process for each; starts are idempotent, so an agent already in that process is
 * skipped. One instance sweeps at a time (a PostgreSQL advisory lock held for the sweep); the clock is
 * injected and {@link #sweep(Instant)} takes the time to judge by, so tests and operators can sweep "as of"
 * another moment.
 */
class LifecycleRules implements LifecycleRuleBook {

    private static final Logger log = LoggerFactory.getLogger(LifecycleRules.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int DIRECTORY_CHUNK = 1000;
    static final AuditActor ACTOR = AuditActor.system("lifecycle-rules");

    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final WorkflowEngine engine;
    private final AgentQueries agents;
    private final Directory directory;
    private final AuditLog audit;
    private final AuditAnalytics analytics;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final Clock clock;

    LifecycleRules(
            JdbcClient jdbc,
            DataSource dataSource,
            WorkflowEngine engine,
            AgentQueries agents,
            Directory directory,
            AuditLog audit,
            AuditAnalytics analytics,
            ApplicationEventPublisher events,
            TransactionTemplate transactions,
            Clock clock) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.engine = engine;
        this.agents = agents;
        this.directory = directory;
        this.audit = audit;
        this.analytics = analytics;
        this.events = events;
        this.transactions = transactions;
        this.clock = clock;
    }

    // ---- the rules -----------------------------------------------------------------------------------

    @Override
    public List<LifecycleRule> rules() {
        return jdbc.sql(
                        "select key, kind, enabled, parameters::text, version, updated_by, updated_at from lifecycle_rule order by key")
                .query((rs, row) -> map(rs))
                .list();
    }

    @Override
    public LifecycleRule rule(String key) {
        return jdbc.sql(
                        "select key, kind, enabled, parameters::text, version, updated_by, updated_at from lifecycle_rule where key = :key")
                .param("key", key)
                .query((rs, row) -> map(rs))
                .optional()
                .orElseThrow(() -> new WorkflowRefused(
                        ProblemKind.NOT_FOUND,
                        "not-found",
                        "No lifecycle rule " + key + "; the rules are "
                                + rules().stream().map(LifecycleRule::key).toList()));
    }

    /** Changes a rule's switch and parameters; {@code version} must be the current one. */
    @Override
    public LifecycleRule update(
            String key, boolean enabled, Map<String, Object> parameters, long version, String actorId) {
        LifecycleRule current = rule(key);
        Map<String, Object> checked = validate(current.kind(), parameters);
        int updated = jdbc.sql("""
                update lifecycle_rule set enabled = :enabled, parameters = cast(:parameters as jsonb), version = version + 1,
                    updated_by = :actor, updated_at = :now where key = :key and version = :version""")
                .param("enabled", enabled)
                .param("parameters", JSON.writeValueAsString(checked))
                .param("actor", actorId)
                .param("now", Timestamp.from(clock.instant()))
                .param("key", key)
                .param("version", version)
                .update();
        if (updated == 0) {
            throw new WorkflowRefused(
                    ProblemKind.CONFLICT,
                    "stale-version",
                    "Rule " + key + " is at version " + current.version() + ", not " + version);
        }
        LifecycleRule changed = rule(key);
        audit.append(AuditEvent.builder(
                        "lifecycle.rule_changed", AuditActor.person(actorId), new AuditTarget("lifecycle-rule", key))
                .detail("enabled", enabled)
                .detail("parameters", JSON.writeValueAsString(checked))
                .detail("version", changed.version())
                .build());
        return changed;
    }

    /** The parameters a rule of this kind takes, checked; a bad one is a 400 naming it. */
    static Map<String, Object> validate(LifecycleRule.Kind kind, Map<String, Object> parameters) {
        Map<String, Object> checked = new LinkedHashMap<>();
        Set<String> allowed = switch (kind) {
            case DORMANT -> Set.of("days");
            case RISK_SIGNAL -> Set.of("denials", "window");
            case RECERTIFICATION_DUE -> Set.of("periodDays");
            case OWNER_INACTIVE -> Set.of();
        };
        for (String name : parameters.keySet()) {
            if (!allowed.contains(name)) {
                throw new WorkflowRefused(
                        ProblemKind.INVALID,
                        "invalid-field",
                        "parameters." + name + ": a " + kind + " rule takes "
                                + (allowed.isEmpty() ? "no parameters" : new TreeSet<>(allowed)));
            }
        }
        if (kind == LifecycleRule.Kind.DORMANT) {
            checked.put("days", integer(parameters, "days", 1, 3650));
        }
        if (kind == LifecycleRule.Kind.RECERTIFICATION_DUE) {
            checked.put("periodDays", integer(parameters, "periodDays", 7, 1095));
        }
        if (kind == LifecycleRule.Kind.RISK_SIGNAL) {
            checked.put("denials", integer(parameters, "denials", 1, 1_000_000));
            Object window = parameters.get("window");
            try {
                Duration duration = Duration.parse(String.valueOf(window));
                if (duration.compareTo(Duration.ofMinutes(1)) < 0 || duration.compareTo(Duration.ofDays(7)) > 0) {
                    throw new DateTimeParseException("out of range", String.valueOf(window), 0);
                }
                checked.put("window", duration.toString());
            } catch (DateTimeParseException e) {
                throw new WorkflowRefused(
                        ProblemKind.INVALID,
                        "invalid-field",
                        "parameters.window: an ISO-8601 duration from PT1M to P7D, got " + window);
            }
        }
        return checked;
    }

    private static int integer(Map<String, Object> parameters, String name, int min, int max) {
        if (parameters.get(name) instanceof Number number
                && number.doubleValue() == number.intValue()
                && number.intValue() >= min
                && number.intValue() <= max) {
            return number.intValue();
        }
        throw new WorkflowRefused(
                ProblemKind.INVALID,
                "invalid-field",
                "parameters." + name + ": a whole number from " + min + " to " + max + ", got " + parameters.get(name));
    }

    // ---- the sweep -----------------------------------------------------------------------------------

    @Scheduled(
            initialDelayString = "${warden.lifecycle.sweep-interval:PT1H}",
            fixedDelayString = "${warden.lifecycle.sweep-interval:PT1H}")
    void scheduledSweep() {
        try {
            Sweep sweep = sweep(clock.instant());
            if (!sweep.skipped()) {
                log.info("Lifecycle rules swept in {} ms: {}", sweep.millis(), sweep.started());
            }
        } catch (RuntimeException e) {
            log.error("The lifecycle sweep failed; the next one runs as scheduled", e);
        }
    }

    @Override
    public Sweep sweepNow() {
        return sweep(clock.instant());
    }

    @Override
    public Sweep sweep(Instant now) {
        long started = System.nanoTime();
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(true);
            if (!tryLock(lock)) {
                return new Sweep(Map.of(), true, 0);
            }
            try {
                Map<String, Integer> counts = new LinkedHashMap<>();
                for (LifecycleRule rule : rules()) {
                    if (rule.enabled()) {
                        counts.put(rule.key(), fire(rule, now));
                    }
                }
                return new Sweep(counts, false, (System.nanoTime() - started) / 1_000_000);
            } finally {
                try (PreparedStatement unlock =
                        lock.prepareStatement("select pg_advisory_unlock(hashtext('warden.lifecycle.sweep'))")) {
                    unlock.execute();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not take the sweep lock", e);
        }
    }

    private static boolean tryLock(Connection connection) throws SQLException {
        try (PreparedStatement statement =
                        connection.prepareStatement("select pg_try_advisory_lock(hashtext('warden.lifecycle.sweep'))");
                ResultSet rs = statement.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private int fire(LifecycleRule rule, Instant now) {
        return switch (rule.kind()) {
            case DORMANT ->
                start(
                        BpmnProcesses.RETIREMENT,
                        rule,
                        agents.dormantSince(
                                now.minus(Duration.ofDays(number(rule, "days").longValue()))));
            case RECERTIFICATION_DUE -> start(BpmnProcesses.RECERTIFICATION, rule, agents.recertificationDue(now));
            case OWNER_INACTIVE -> start(BpmnProcesses.ORPHANED, rule, orphaned());
            case RISK_SIGNAL -> riskSignals(rule, now);
        };
    }

    private List<AgentId> orphaned() {
        Map<AgentId, String> owners = agents.ownersOfLiveAgents();
        List<String> distinct = new ArrayList<>(new TreeSet<>(owners.values()));
        Map<String, DirectoryUser> found = new HashMap<>();
        for (int i = 0; i < distinct.size(); i += DIRECTORY_CHUNK) {
            found.putAll(directory.findUsers(distinct.subList(i, Math.min(distinct.size(), i + DIRECTORY_CHUNK))));
        }
        Predicate<String> inactive =
                owner -> found.get(owner) == null || !found.get(owner).active();
        return owners.entrySet().stream()
                .filter(entry -> inactive.test(entry.getValue()))
                .map(Map.Entry::getKey)
                .toList();
    }

    private int start(String process, LifecycleRule rule, List<AgentId> candidates) {
        return engine.startAll(
                process, candidates.stream().map(AgentId::toString).toList(), Map.of("rule", rule.key()));
    }

    /** A rule's numeric parameter; the rule's kind requires it, so a missing one is a rule stored wrongly. */
    private static Number number(LifecycleRule rule, String parameter) {
        if (!(rule.parameters().get(parameter) instanceof Number value)) {
            throw new IllegalStateException(
                    "Lifecycle rule " + rule.kind() + " has no numeric parameter '" + parameter + "'");
        }
        return value;
    }

    private int riskSignals(LifecycleRule rule, Instant now) {
        int denials = number(rule, "denials").intValue();
        Duration window = Duration.parse((String) rule.parameters().get("window"));
        int signalled = 0;
        for (var entry : analytics
                .countByAgent("gateway.decision", "DENY", now.minus(window))
                .entrySet()) {
            if (entry.getValue() < denials) {
                continue;
            }
            var agent = agents.findAgentByClientId(entry.getKey());
            if (agent.isEmpty()
                    || agent.get().status() != AgentStatus.ACTIVE
                    || engine.running(BpmnProcesses.INCIDENT, agent.get().id().toString())) {
                continue;
            }
            var signal = new RiskSignalDetected(
                    agent.get().id(), entry.getKey(), entry.getValue() + " policy denials within " + window, now);
            // published in a transaction, so the event publication registry keeps it until it is handled
            transactions.executeWithoutResult(status -> events.publishEvent(signal));
            signalled++;
        }
        return signalled;
    }

    private static LifecycleRule map(ResultSet rs) throws SQLException {
        Map<String, Object> parameters = JSON.readValue(rs.getString(4), new TypeReference<Map<String, Object>>() {});
        return new LifecycleRule(
                rs.getString(1),
                LifecycleRule.Kind.valueOf(rs.getString(2)),
                rs.getBoolean(3),
                parameters,
                rs.getLong(5),
                rs.getString(6),
                rs.getTimestamp(7).toInstant());
    }
}
