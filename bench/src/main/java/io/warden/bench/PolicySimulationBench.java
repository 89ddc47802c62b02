package io.warden.bench;

import io.warden.WardenApplication;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import io.warden.audit.RecordedDecisions;
import io.warden.audit.internal.PostgresAuditTrail;
import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.registry.AgentStatus;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What-if replay of a policy change over a million recorded decisions ({@code simulation_1m_s}). Starts the real Warden
 * in-process (embedded PostgreSQL with {@code fsync=on}, the embedded identity provider, the demo catalogue, durable
 * audit), adds data scopes over the API until there are {@code --scopes}, then fills the audit trail through the real
 * {@link AuditLog} (the hash chain stays whole) with {@code --decisions} {@code gateway.decision} records carrying the
 * contract's details: {@code --agents} agents, every registered tool, the scopes and four purposes, some on behalf of a
 * person, some with a kill switch on, some standing for repeats ({@code count}), some refused before the decision point
 * (no {@code input}). Each distinct input is decided by the running decision point, so the recorded decision is the
 * one the current rules give. Then an admin posts {@code POST /api/v1/policy/simulations} over HTTP for the whole range
 * with a candidate that removes one purpose from one scope, {@code --runs} times; the median is the figure.
 *
 * <p>The time split: the grouping alone ({@link RecordedDecisions#forEachGroup} with a sink that only counts, the same
 * query and cursor the replay reads) is timed once per run next to the simulation; the rest of a run is parsing,
 * applying the candidate, deciding and tallying (the replay overlaps deciding with reading, so the split is an upper
 * bound on the SQL share). {@code EXPLAIN (ANALYZE, BUFFERS)} of the grouping query goes to stderr.
 *
 * <p>Arguments: {@code --decisions 1000000 --agents 40 --scopes 12 --runs 3 --writers 16 --seed 42}. Prints one JSON
 * object.
 */
public final class PolicySimulationBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The purposes the recorded calls name. */
    private static final List<PurposeOfUse> PURPOSES =
            List.of(PurposeOfUse.TREAT, PurposeOfUse.HQUALIMP, PurposeOfUse.HRESCH, PurposeOfUse.HOPERAT);

    /** Queued appends one writer has in flight before it waits for them. */
    private static final int WINDOW = 512;

    /** The scope and purpose the candidate takes away. */
    private static final String CHANGED_SCOPE = "wound-images-deid";

    private static final PurposeOfUse REMOVED = PurposeOfUse.HQUALIMP;

    /** One distinct decision input as recorded, with the decision the current rules give it. */
    record Recorded(String json, DecisionInput input, Decision decision) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        long decisions = Long.parseLong(options.getOrDefault("decisions", "1000000"));
        int agentCount = Integer.parseInt(options.getOrDefault("agents", "40"));
        int scopeCount = Integer.parseInt(options.getOrDefault("scopes", "12"));
        int runs = Integer.parseInt(options.getOrDefault("runs", "3"));
        int writers = Integer.parseInt(options.getOrDefault("writers", "16"));
        long seed = Long.parseLong(options.getOrDefault("seed", "42"));
        Path data = Files.createTempDirectory("warden-simulation-bench");
        try (ConfigurableApplicationContext warden = new SpringApplicationBuilder(WardenApplication.class)
                .run("--server.port=0", "--warden.data-dir=" + data, "--logging.level.root=WARN")) {
            int port = Objects.requireNonNull(
                            ((WebServerApplicationContext) warden).getWebServer(), "Warden serves HTTP")
                    .getPort();
            URI base = URI.create("http://localhost:" + port);
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String admin = PersonTokens.token(base, "ada.admin", "warden-demo");
            addScopes(http, base, admin, scopeCount);
            JsonNode scopes = get(http, base, admin, "/api/v1/data-scopes");
            JsonNode tools = get(http, base, admin, "/api/v1/tools");
            PolicyDecisionPoint decisionPoint = warden.getBean(PolicyDecisionPoint.class);
            AuditLog audit = warden.getBean(AuditLog.class);
            Clock clock = warden.getBean(Clock.class);
            DataSource dataSource = warden.getBean(DataSource.class);

            Catalogue catalogue = new Catalogue(items(scopes), items(tools), agentCount, seed);
            Instant from = clock.instant().minusMillis(1);
            long fillStart = System.nanoTime();
            Fill fill = fill(audit, decisionPoint, catalogue, decisions, writers, seed);
            double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
            Thread.sleep(5);
            Instant to = clock.instant().plusMillis(1);
            System.err.printf(
                    "filled %d records (%d decisions) in %.1f s: %d distinct inputs, %d without input%n",
                    fill.records(), fill.weighted(), fillSeconds, fill.distinctInputs(), fill.withoutInput());

            JdbcClient jdbc = JdbcClient.create(dataSource);
            jdbc.sql("analyze audit_event").update();
            explain(dataSource, from, to);

            String body = JSON.writeValueAsString(Map.of(
                    "from", from.toString(),
                    "to", to.toString(),
                    "candidate", candidate(scopes),
                    "description", "benchmark: " + REMOVED + " off " + CHANGED_SCOPE));
            PostgresAuditTrail trail = new PostgresAuditTrail(dataSource);
            List<Double> totals = new ArrayList<>();
            List<Double> groupings = new ArrayList<>();
            JsonNode report = null;
            long groups = 0;
            for (int run = 0; run < runs; run++) {
                String load = uptime();
                long start = System.nanoTime();
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(base.resolve("/api/v1/policy/simulations"))
                                .header("Authorization", "Bearer " + admin)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                double total = (System.nanoTime() - start) / 1e9;
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(
                            "simulation failed: " + response.statusCode() + " " + response.body());
                }
                report = JSON.readTree(response.body());
                AtomicLong counted = new AtomicLong();
                start = System.nanoTime();
                trail.forEachGroup(from, to, 3, group -> counted.incrementAndGet());
                double grouping = (System.nanoTime() - start) / 1e9;
                groups = counted.get();
                totals.add(total);
                groupings.add(grouping);
                System.err.printf(
                        "run %d: simulation %.2f s, grouping alone %.2f s, %d groups; load before: %s%n",
                        run + 1, total, grouping, groups, load);
            }
            Objects.requireNonNull(report, "at least one run");
            long expectedFlips = fill.expectedFlips().get();
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("simulation_1m_s", round(median(totals)));
            results.put(
                    "simulation_runs_s",
                    totals.stream().map(PolicySimulationBench::round).toList());
            results.put("grouping_sql_s", round(median(groupings)));
            results.put(
                    "grouping_sql_runs_s",
                    groupings.stream().map(PolicySimulationBench::round).toList());
            results.put("deciding_s", round(median(totals) - median(groupings)));
            results.put("records", fill.records());
            results.put("decisions_examined", report.get("decisionsExamined").asLong());
            results.put("not_replayable", report.get("notReplayable").asLong());
            results.put("distinct_groups", groups);
            results.put("distinct_inputs", fill.distinctInputs());
            results.put("flips", report.get("flips").get("total").asLong());
            results.put("allow_to_deny", report.get("flips").get("allowToDeny").asLong());
            results.put("deny_to_allow", report.get("flips").get("denyToAllow").asLong());
            results.put("expected_flips", expectedFlips);
            results.put("fill_s", round(fillSeconds));
            results.put("fill_records_per_s", Math.round(fill.records() / fillSeconds));
            results.put("agents", agentCount);
            results.put("tools", catalogue.tools.size());
            results.put("scopes", catalogue.scopes.size());
            results.put("purposes", PURPOSES.size());
            results.put("load_after", uptime());
            System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
            if (report.get("flips").get("total").asLong() != expectedFlips) {
                throw new IllegalStateException("the simulation flipped " + report.get("flips")
                        + " decisions; removing the purpose should flip exactly " + expectedFlips);
            }
        }
    }

    /** The counts of a fill. */
    record Fill(long records, long weighted, long withoutInput, int distinctInputs, AtomicLong expectedFlips) {}

    /**
     * Appends {@code decisions} decision records with {@code writers} threads, each record drawn from its own seeded
     * random, so the same arguments give the same trail. A distinct input is decided once and its decision reused.
     */
    static Fill fill(
            AuditLog audit,
            PolicyDecisionPoint decisionPoint,
            Catalogue catalogue,
            long decisions,
            int writers,
            long seed)
            throws InterruptedException {
        Map<String, Recorded> decided = new ConcurrentHashMap<>();
        AtomicLong next = new AtomicLong();
        AtomicLong weighted = new AtomicLong();
        AtomicLong withoutInput = new AtomicLong();
        AtomicLong expectedFlips = new AtomicLong();
        Instant time = Instant.parse("2026-01-01T00:00:00Z");
        Thread[] threads = new Thread[writers];
        for (int w = 0; w < writers; w++) {
            threads[w] = new Thread(
                    () -> {
                        // queued appends, as the gateway's busy paths use, a window at a time: the writer batches
                        // them into durable commits (the queue holds 100,000; 16 writers x 512 stay well inside)
                        List<CompletableFuture<AuditRecord>> window = new ArrayList<>(WINDOW);
                        long i;
                        while ((i = next.getAndIncrement()) < decisions) {
                            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
                            Catalogue.Call call = catalogue.call(random);
                            long count = random.nextInt(10) == 0 ? 2 + random.nextInt(8) : 1;
                            weighted.addAndGet(count);
                            AuditEvent.Builder event = AuditEvent.builder(
                                            "gateway.decision",
                                            AuditActor.agent(call.agent().id(), null),
                                            new AuditTarget("tool", call.tool().key()))
                                    .agent(call.agent().id())
                                    .tool(call.tool().key())
                                    .dataset(call.scope().key())
                                    .purposeOfUse(call.purpose().name())
                                    .correlationId("bench-" + i)
                                    .latencyMicros(200L + random.nextInt(400));
                            if (random.nextInt(20) == 0) {
                                // refused before the decision point (rate limit): no input, not replayable
                                withoutInput.addAndGet(count);
                                event.decision("DENY").reason("RATE_LIMITED");
                            } else {
                                DecisionInput input = catalogue.input(call, random, time);
                                String json = json(input);
                                Recorded recorded = decided.computeIfAbsent(
                                        json, key -> new Recorded(key, input, decisionPoint.decide(input)));
                                Decision decision = recorded.decision();
                                event.decision(decision.allow() ? "PERMIT" : "DENY")
                                        .detail("policyEngine", "embedded")
                                        .detail("policyRules", "3")
                                        .detail("policyData", "0")
                                        .detail("input", json);
                                decision.reasons().forEach(event::reason);
                                if (decision.allow()
                                        && call.scope().key().equals(CHANGED_SCOPE)
                                        && call.purpose() == REMOVED) {
                                    expectedFlips.addAndGet(count);
                                }
                            }
                            if (count != 1) {
                                event.detail("count", count);
                            }
                            window.add(audit.appendQueued(event.build()));
                            if (window.size() == WINDOW) {
                                window.forEach(CompletableFuture::join);
                                window.clear();
                            }
                        }
                        window.forEach(CompletableFuture::join);
                    },
                    "bench-writer-" + w);
            threads[w].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new Fill(decisions, weighted.get(), withoutInput.get(), decided.size(), expectedFlips);
    }

    /**
     * The registry's scopes and tools as the API shows them, and agents drawn over them: each holds a few scopes, a
     * few tools and some of the purposes, so calls outside its grants are denied as at the gateway.
     */
    static final class Catalogue {

        record Scope(
                String key,
                SensitivityLabel sensitivity,
                boolean phi,
                boolean deidentified,
                Set<PurposeOfUse> purposes,
                Set<PurposeOfUse> deidentifyFor,
                boolean approvalRequired) {}

        record Tool(String key, int maxK, Set<String> requiredScopes, SensitivityLabel sensitivity, boolean approval) {}

        record Agent(
                String id,
                AgentStatus status,
                Set<String> scopes,
                Set<String> tools,
                Set<PurposeOfUse> purposes,
                SensitivityLabel clearance,
                boolean phiApproved) {}

        record Call(Agent agent, Tool tool, Scope scope, PurposeOfUse purpose) {}

        final List<Scope> scopes = new ArrayList<>();
        final List<Tool> tools = new ArrayList<>();
        final List<Agent> agents = new ArrayList<>();

        Catalogue(List<JsonNode> scopeNodes, List<JsonNode> toolNodes, int agentCount, long seed) {
            for (JsonNode scope : scopeNodes) {
                scopes.add(new Scope(
                        scope.get("key").asString(),
                        SensitivityLabel.valueOf(scope.get("sensitivity").asString()),
                        scope.get("phi").asBoolean(),
                        scope.get("deidentified").asBoolean(),
                        purposes(scope.get("allowedPurposes")),
                        purposes(scope.get("deidentifyFor")),
                        scope.path("approvalRequired").asBoolean(false)));
            }
            for (JsonNode tool : toolNodes) {
                tools.add(new Tool(
                        tool.get("key").asString(),
                        tool.get("maxK").asInt(),
                        strings(tool.get("requiredScopes")),
                        SensitivityLabel.valueOf(tool.get("sensitivity").asString()),
                        tool.path("approvalRequired").asBoolean(false)));
            }
            SplittableRandom random = new SplittableRandom(seed);
            for (int a = 0; a < agentCount; a++) {
                Set<String> held = new TreeSet<>();
                while (held.size() < Math.min(scopes.size(), 4)) {
                    held.add(scopes.get(random.nextInt(scopes.size())).key());
                }
                Set<String> usable = new TreeSet<>();
                while (usable.size() < Math.min(tools.size(), 4)) {
                    usable.add(tools.get(random.nextInt(tools.size())).key());
                }
                Set<PurposeOfUse> purposes = EnumSet.noneOf(PurposeOfUse.class);
                while (purposes.size() < 3) {
                    purposes.add(PURPOSES.get(random.nextInt(PURPOSES.size())));
                }
                SensitivityLabel clearance = SensitivityLabel.PUBLIC;
                for (Scope scope : scopes) {
                    if (held.contains(scope.key()) && scope.sensitivity().atLeast(clearance)) {
                        clearance = scope.sensitivity();
                    }
                }
                agents.add(new Agent(
                        "bench-agent-%02d".formatted(a),
                        random.nextInt(40) == 0 ? AgentStatus.SUSPENDED : AgentStatus.ACTIVE,
                        held,
                        usable,
                        purposes,
                        clearance,
                        random.nextInt(4) == 0));
            }
        }

        /** A call: mostly within the agent's grants (as real traffic is), sometimes outside them. */
        Call call(SplittableRandom random) {
            Agent agent = agents.get(random.nextInt(agents.size()));
            boolean inGrant = random.nextInt(5) != 0;
            Tool tool = inGrant ? byKey(tools, Tool::key, pick(agent.tools(), random)) : pick(tools, random);
            Scope scope = inGrant ? byKey(scopes, Scope::key, pick(agent.scopes(), random)) : pick(scopes, random);
            return new Call(agent, tool, scope, pick(PURPOSES, random));
        }

        DecisionInput input(Call call, SplittableRandom random, Instant time) {
            Agent agent = call.agent();
            Scope scope = call.scope();
            Tool tool = call.tool();
            DecisionInput.Person person = null;
            if (random.nextInt(10) == 0) {
                // on behalf of a person: the entitlements reduced to the call's scope, as recorded
                Map<String, Set<PurposeOfUse>> entitlements = new TreeMap<>();
                if (random.nextInt(4) != 0) {
                    entitlements.put(scope.key(), scope.purposes());
                }
                person = new DecisionInput.Person("person-" + random.nextInt(3), entitlements, false);
            }
            int[] ks = {5, 10, 25};
            return new DecisionInput(
                    new DecisionInput.Agent(
                            agent.id(),
                            agent.status(),
                            true,
                            agent.scopes(),
                            agent.tools(),
                            agent.purposes(),
                            agent.clearance(),
                            agent.phiApproved()),
                    new DecisionInput.Tool(
                            tool.key(), tool.maxK(), tool.requiredScopes(), tool.sensitivity(), tool.approval()),
                    new DecisionInput.Dataset(
                            scope.key(),
                            scope.sensitivity(),
                            scope.phi(),
                            scope.deidentified(),
                            scope.purposes(),
                            scope.deidentifyFor(),
                            scope.approvalRequired()),
                    call.purpose(),
                    new DecisionInput.Request(
                            random.nextInt(10) == 0 ? ks[random.nextInt(ks.length)] : 10, null, false),
                    new DecisionInput.KillSwitches(false, false, random.nextInt(200) == 0, false),
                    time,
                    person);
        }

        private static <T> T pick(List<T> values, SplittableRandom random) {
            return values.get(random.nextInt(values.size()));
        }

        private static String pick(Set<String> values, SplittableRandom random) {
            return values.stream()
                    .skip(random.nextInt(values.size()))
                    .findFirst()
                    .orElseThrow();
        }

        private static <T> T byKey(List<T> values, Function<T, String> key, String wanted) {
            return values.stream()
                    .filter(v -> key.apply(v).equals(wanted))
                    .findFirst()
                    .orElseThrow();
        }
    }

    /**
     * The recorded form of an input: the decision point's input JSON ({@code DecisionJson.input}, version 3) without
     * {@code time}, the person's entitlements reduced to the call's scope, keys in sorted order (canonical text, so
     * identical calls group).
     */
    static String json(DecisionInput input) {
        ObjectNode json = JSON.createObjectNode();
        var agent = input.agent();
        ObjectNode agentNode = json.putObject("agent");
        agentNode.put("clearance", agent.clearance().name());
        agentNode.put("id", agent.id());
        agentNode.put("ownerActive", agent.ownerActive());
        agentNode.put("phiApproved", agent.phiApproved());
        agentNode.set("purposes", names(agent.purposes()));
        agentNode.set("scopes", array(agent.scopes()));
        agentNode.put("status", agent.status().name());
        agentNode.set("tools", array(agent.tools()));
        var dataset = input.dataset();
        ObjectNode datasetNode = json.putObject("dataset");
        datasetNode.set("allowedPurposes", names(dataset.allowedPurposes()));
        datasetNode.put("approvalRequired", dataset.approvalRequired());
        datasetNode.put("deidentified", dataset.deidentified());
        datasetNode.set("deidentifyFor", names(dataset.deidentifyFor()));
        datasetNode.put("key", dataset.key());
        datasetNode.put("phi", dataset.phi());
        datasetNode.put("sensitivity", dataset.sensitivity().name());
        var switches = input.killSwitches();
        json.putObject("killSwitches")
                .put("agent", switches.agent())
                .put("dataset", switches.dataset())
                .put("global", switches.global())
                .put("tool", switches.tool());
        var person = input.person();
        if (person == null) {
            json.putNull("person");
        } else {
            ObjectNode personNode = json.putObject("person");
            personNode.put("breakGlass", person.breakGlass());
            ObjectNode entitlements = personNode.putObject("entitlements");
            new TreeMap<>(person.entitlements()).forEach((scope, purposes) -> entitlements.set(scope, names(purposes)));
            personNode.put("id", person.id());
        }
        json.put(
                "purposeOfUse",
                input.purposeOfUse() == null ? null : input.purposeOfUse().name());
        json.putObject("request")
                .put("approved", input.request().approved())
                .put("justification", input.request().justification())
                .put("k", input.request().k());
        var tool = input.tool();
        ObjectNode toolNode = json.putObject("tool");
        toolNode.put("approvalRequired", tool.approvalRequired());
        toolNode.put("key", tool.key());
        toolNode.put("maxK", tool.maxK());
        toolNode.set("requiredScopes", array(tool.requiredScopes()));
        toolNode.put("sensitivity", tool.sensitivity().name());
        return json.toString();
    }

    private static ArrayNode names(Set<PurposeOfUse> purposes) {
        return array(purposes.stream().map(Enum::name).collect(Collectors.toSet()));
    }

    private static ArrayNode array(Set<String> values) {
        ArrayNode array = JSON.createArrayNode();
        new TreeSet<>(values).forEach(array::add);
        return array;
    }

    /** Data scopes over the API until there are {@code count}: varied labels and purposes, like a real catalogue. */
    static void addScopes(HttpClient http, URI base, String admin, int count) throws Exception {
        int have = items(get(http, base, admin, "/api/v1/data-scopes")).size();
        String[] labels = {"INTERNAL", "CONFIDENTIAL", "HIGHLY_CONFIDENTIAL"};
        String[][] purposes = {
            {"TREAT", "HRESCH"}, {"TREAT", "HQUALIMP", "HOPERAT"}, {"HRESCH", "HQUALIMP"}, {"TREAT"},
        };
        for (int i = 0; have < count; i++, have++) {
            boolean phi = i % 3 == 2;
            List<String> allowed = List.of(purposes[i % purposes.length]);
            String body = JSON.writeValueAsString(Map.of(
                    "key",
                    "bench-scope-" + i,
                    "displayName",
                    "Benchmark scope " + i,
                    "sensitivity",
                    labels[i % labels.length],
                    "phi",
                    phi,
                    "deidentified",
                    !phi,
                    "allowedPurposes",
                    allowed,
                    "deidentifyFor",
                    phi && allowed.contains("HRESCH") ? List.of("HRESCH") : List.of()));
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(base.resolve("/api/v1/data-scopes"))
                            .header("Authorization", "Bearer " + admin)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException(
                        "data scope not created: " + response.statusCode() + " " + response.body());
            }
        }
    }

    /** The candidate: the changed scope with every purpose it allows now but the removed one. */
    static Map<String, Object> candidate(JsonNode scopes) {
        JsonNode scope = items(scopes).stream()
                .filter(s -> s.get("key").asString().equals(CHANGED_SCOPE))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no data scope " + CHANGED_SCOPE));
        List<String> purposes = new ArrayList<>(strings(scope.get("allowedPurposes")));
        purposes.remove(REMOVED.name());
        return Map.of("dataScopes", Map.of(CHANGED_SCOPE, Map.of("allowedPurposes", purposes)));
    }

    /** The grouping query's plan and timing, as {@link PostgresAuditTrail#forEachGroup} runs it (examples 3). */
    static void explain(DataSource dataSource, Instant from, Instant to) throws SQLException {
        String sql = """
                explain (analyze, buffers) select input, decision, reasons, sum(n),
                       (array_agg(seq order by seq))[1:3], (array_agg(time order by seq))[1:3],
                       (array_agg(agent_id order by seq))[1:3]
                from (select seq, time, agent_id, decision, reasons,
                             detail_values[array_position(detail_keys, 'input')] as input,
                             coalesce(detail_values[array_position(detail_keys, 'count')]::bigint, 1) as n
                      from audit_event where action = 'gateway.decision' and time >= ? and time < ?
                ) d where input is not null group by input, decision, reasons""";
        List<String> plan = new ArrayList<>();
        // plain JDBC: the named-parameter parser would read the slice [1:3] as a parameter
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            statement.setObject(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    plan.add(rs.getString(1));
                }
            }
        }
        System.err.println("EXPLAIN ANALYZE of the grouping query:");
        plan.forEach(line -> System.err.println("  " + line));
    }

    private static JsonNode get(HttpClient http, URI base, String token, String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + ": " + response.statusCode() + " " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static List<JsonNode> items(JsonNode page) {
        JsonNode items = page.isArray() ? page : page.get("items");
        List<JsonNode> list = new ArrayList<>();
        items.forEach(list::add);
        return list;
    }

    private static Set<PurposeOfUse> purposes(JsonNode array) {
        Set<PurposeOfUse> purposes = EnumSet.noneOf(PurposeOfUse.class);
        strings(array).forEach(p -> purposes.add(PurposeOfUse.valueOf(p)));
        return purposes;
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new TreeSet<>();
        if (array != null) {
            array.forEach(v -> values.add(v.asString()));
        }
        return values;
    }

    private static String uptime() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static double round(double seconds) {
        return Math.round(seconds * 100) / 100.0;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return options;
    }
}
