package io.warden.cohort.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import io.warden.bpmn.BpmnProcesses;
import io.warden.bpmn.BpmnProcesses.TaskTypes;
import io.warden.clinical.CollectionCatalog;
import io.warden.clinical.IndexKind;
import io.warden.clinical.Modality;
import io.warden.clinical.cohort.CohortPipeline;
import io.warden.clinical.cohort.CohortRuns;
import io.warden.clinical.dicom.DicomSource;
import io.warden.collections.ExternalCollections;
import io.warden.lifecycle.Job;
import io.warden.lifecycle.JobResult;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.policy.KillSwitches;
import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.DataSourceView;
import io.warden.registry.DataSources;
import io.warden.registry.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.IdGenerator;

/**
 * Runs cohort index builds: starts the {@code cohort-index-build} process for a COHORT_BUILDER agent,
 * handles its steps with the {@link CohortPipeline}, keeps each step's progress in {@code cohort_run_step},
 * and publishes a finished run in place of the cohort's previous one. Before every step the builder must
 * still be ACTIVE and uncovered by any kill switch, or the run stops. Thread-safe.
 */
final class CohortBuilds implements CohortRuns {

    /** The tool name kill switches name to stop cohort builds. */
    public static final String TOOL = "cohort-build";

    private static final Logger log = LoggerFactory.getLogger(CohortBuilds.class);
    private static final Pattern COHORT = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
    private static final List<String> STEPS =
            List.of("extract", "classify", "describe", "embed", "index", "project", "publish");
    private static final Duration BACKOFF = Duration.ofSeconds(5);
    private static final long PROGRESS_EVERY_MS = 500;

    /** Reads a source's instances, and what it could not read. */
    interface SourceReader {

        Read read(DataSourceView source);

        /** Renders a slice of the source as PNG, for the image tier; null for sources that cannot (folders). */
        @Nullable
        Function<String, Optional<byte[]>> renderer(DataSourceView source);

        record Read(List<DicomSource.Instance> instances, List<CohortPipeline.Problem> problems) {}
    }

    private final JdbcClient jdbc;
    private final WorkflowEngine engine;
    private final AgentQueries agents;
    private final KillSwitches killSwitches;
    private final AuditLog audit;
    private final CohortPipeline pipeline;
    private final SourceReader sources;
    private final DataSources catalogue;
    private final Clock clock;
    private final IdGenerator ids;
    private final ExternalCollections collections;
    private final Map<String, Long> lastProgress = new ConcurrentHashMap<>();

    CohortBuilds(
            JdbcClient jdbc,
            WorkflowEngine engine,
            AgentQueries agents,
            KillSwitches killSwitches,
            AuditLog audit,
            CohortPipeline pipeline,
            SourceReader sources,
            DataSources catalogue,
            Clock clock,
            IdGenerator ids,
            ExternalCollections collections) {
        this.collections = collections;
        this.jdbc = jdbc;
        this.engine = engine;
        this.agents = agents;
        this.killSwitches = killSwitches;
        this.audit = audit;
        this.pipeline = pipeline;
        this.sources = sources;
        this.catalogue = catalogue;
        this.clock = clock;
        this.ids = ids;
    }

    // ---- the API -------------------------------------------------------------------------------------

    @Override
    public Run start(StartRequest request, Requester requester) {
        AgentView agent = builder(request.agentId());
        if (!requester.admin() && !agent.ownerId().equals(requester.id())) {
            throw new RegistryException.AccessRuleViolated(
                    "owner-or-admin", "Only an admin or the agent's owner may start its cohort builds");
        }
        if (request.cohort() == null || !COHORT.matcher(request.cohort()).matches()) {
            throw new RegistryException.InvalidField(
                    "cohort", "A cohort name is 1 to 40 lower-case letters, digits and '-'");
        }
        DataSourceView source = request.source() == null
                ? null
                : catalogue.find(request.source()).orElse(null);
        if (source == null) {
            throw new RegistryException.InvalidField(
                    "source", "No data source '" + request.source() + "' is registered");
        }
        String dataset = source.scopeKey();
        if (!agent.dataScopes().contains(dataset)) {
            audit.append(AuditEvent.builder(
                            "cohort.build_refused",
                            AuditActor.person(requester.id()),
                            new AuditTarget("data-source", source.key()))
                    .agent(agent.id().toString())
                    .dataset(dataset)
                    .decision("DENY")
                    .reason("SCOPE_NOT_GRANTED")
                    .outcome(Outcome.MINOR_FAILURE)
                    .detail("cohort", request.cohort())
                    .build());
            throw new RegistryException.AccessRuleViolated(
                    "source-scope-not-granted",
                    "Agent " + agent.id() + " does not hold data scope '" + dataset + "' of data source '"
                            + source.key() + "'");
        }
        String reason = stopReason(agent, dataset);
        if (reason != null) {
            throw new RegistryException.Conflict("cohort-builder-stopped", reason);
        }
        String agentId = agent.id().toString();
        if (engine.running(BpmnProcesses.COHORT_INDEX_BUILD, agentId)) {
            throw new RegistryException.Conflict(
                    "cohort-build-running", "Agent " + agentId + " is building a cohort already");
        }
        String collection = cohortOf(agent, request.cohort());
        String runId = clock.instant().toString().replaceAll("[^0-9]", "").substring(0, 14) + "-"
                + ids.generateId().toString().substring(0, 8);
        Instant now = clock.instant();
        jdbc.sql("""
                insert into cohort_run (id, cohort, agent_id, dataset, source_key, source_kind, source, collection, status, requested_by,
                    started_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, 'RUNNING', ?, ?)""")
                .params(
                        runId,
                        request.cohort(),
                        agentId,
                        dataset,
                        source.key(),
                        source.kind().name(),
                        source.location(),
                        collection,
                        requester.id(),
                        Timestamp.from(now))
                .update();
        for (int i = 0; i < STEPS.size(); i++) {
            jdbc.sql("insert into cohort_run_step (run_id, step, position, status) values (?, ?, ?, 'WAITING')")
                    .params(runId, STEPS.get(i), i)
                    .update();
        }
        Map<String, Object> variables = new HashMap<>();
        variables.put("runId", runId);
        variables.put("cohort", request.cohort());
        variables.put("dataset", dataset);
        variables.put("source", source.key());
        if (!engine.start(BpmnProcesses.COHORT_INDEX_BUILD, agentId, variables)) {
            jdbc.sql("delete from cohort_run where id = ?").param(runId).update();
            throw new RegistryException.Conflict(
                    "cohort-build-running", "Agent " + agentId + " is building a cohort already");
        }
        audit.append(AuditEvent.builder(
                        "cohort.build_started", AuditActor.person(requester.id()), new AuditTarget("cohort-run", runId))
                .agent(agentId)
                .dataset(dataset)
                .detail("cohort", request.cohort())
                .detail("collection", collection)
                .detail("source", source.key())
                .build());
        return find(runId).orElseThrow();
    }

    @Override
    public List<Run> list() {
        List<Run> runs = jdbc.sql("select * from cohort_run order by started_at desc, id desc")
                .query(this::run)
                .list();
        Map<String, List<Step>> steps = new HashMap<>();
        jdbc.sql("select * from cohort_run_step order by run_id, position")
                .query((rs, n) -> {
                    steps.computeIfAbsent(rs.getString("run_id"), id -> new ArrayList<>())
                            .add(step(rs));
                    return null;
                })
                .list();
        return runs.stream()
                .map(run -> withSteps(run, steps.getOrDefault(run.id(), List.of())))
                .toList();
    }

    @Override
    public Optional<Run> find(String runId) {
        return jdbc.sql("select * from cohort_run where id = ?")
                .param(runId)
                .query(this::run)
                .optional()
                .map(run -> withSteps(
                        run,
                        jdbc.sql("select * from cohort_run_step where run_id = ? order by position")
                                .param(runId)
                                .query((rs, n) -> step(rs))
                                .list()));
    }

    @Override
    public List<CohortPipeline.Point> points(String runId) {
        Run run = kept(runId);
        try {
            return pipeline.points(run.id());
        } catch (CohortPipeline.MissingArtifact e) {
            throw notHere(run, e, "2-D coordinates");
        }
    }

    @Override
    public List<Match> search(String runId, String query, int k) {
        if (query == null || query.isBlank() || query.length() > 500) {
            throw new RegistryException.InvalidField("q", "A query is 1 to 500 characters");
        }
        if (k < 1 || k > 1000) {
            throw new RegistryException.InvalidField("k", "k is between 1 and 1000, got " + k);
        }
        Run run = kept(runId);
        float[] vector = pipeline.embedder().embed(List.of(query)).getFirst();
        try {
            return pipeline.search(run.id(), vector, k);
        } catch (CohortPipeline.MissingArtifact e) {
            throw notHere(run, e, "embeddings");
        }
    }

    /**
     * The refusal when a run's artifacts are not in this instance's runs folder: a run still before the step that
     * writes them, or a run built on another instance when the folder is not shared storage.
     */
    private static RegistryException notHere(Run run, CohortPipeline.MissingArtifact missing, String what) {
        if (run.status().equals("RUNNING")) {
            return new RegistryException.Conflict(
                    "cohort-run-not-ready",
                    "Run " + run.id() + " has no " + what + " yet: the step that writes them has not finished ("
                            + missing.artifact() + ")");
        }
        log.warn(
                "Run {} is {} but {} is not in this instance's runs folder; warden.cohort.runs-dir must be storage every"
                        + " instance shares",
                run.id(),
                run.status(),
                missing.artifact());
        return new RegistryException.Conflict(
                "cohort-run-artifacts-elsewhere",
                "The " + what + " of run " + run.id()
                        + " are not on this instance: its runs folder (warden.cohort.runs-dir) must be storage every instance shares");
    }

    @Override
    public Run republish(String runId, Requester requester) {
        Run run = kept(runId);
        AgentView agent = builder(run.agentId());
        if (!requester.admin() && !agent.ownerId().equals(requester.id())) {
            throw new RegistryException.AccessRuleViolated(
                    "owner-or-admin", "Only an admin or the agent's owner may republish its runs");
        }
        if (!run.status().equals("PUBLISHED") && !run.status().equals("FAILED") || !pipeline.complete(run.id())) {
            throw new RegistryException.Conflict(
                    "cohort-run-not-reusable",
                    "Run " + runId + " is " + run.status()
                            + (pipeline.complete(run.id()) ? "" : " and its artifacts are incomplete")
                            + "; only a finished run can be republished");
        }
        if (!ownerOf(run.collection()).map(run.agentId()::equals).orElse(false)) {
            throw new RegistryException.Conflict(
                    "cohort-not-owned", "Agent " + run.agentId() + " no longer owns cohort " + run.collection());
        }
        // the builder's rights now, not when the run was made: suspended, a scope revoked, a kill switch, a source
        // moved
        String stop = stopReason(agent, run.dataset());
        if (stop != null) {
            throw new RegistryException.AccessRuleViolated("builder-may-not-publish", stop);
        }
        try {
            source(run);
        } catch (IllegalStateException moved) {
            throw new RegistryException.Conflict(
                    "cohort-source-changed", "Run " + runId + " cannot be republished: " + moved.getMessage());
        }
        long version =
                pipeline.reindex(run.id(), run.collection(), run.dataset()).version();
        publish(run, version, requester.id());
        return find(runId).orElseThrow();
    }

    private Run kept(String runId) {
        Run run = find(runId).orElseThrow(() -> new RegistryException.NotFound("cohort-run", runId));
        if (run.status().equals("REPLACED")) {
            throw new RegistryException.Conflict(
                    "cohort-run-replaced", "Run " + runId + " was replaced by a newer run; its artifacts are gone");
        }
        return run;
    }

    private AgentView builder(@Nullable String agentId) {
        AgentId id;
        try {
            id = AgentId.of(String.valueOf(agentId));
        } catch (IllegalArgumentException e) {
            throw new RegistryException.InvalidField("agentId", "Not an agent id: " + agentId);
        }
        AgentView agent = agents.findAgent(id)
                .orElseThrow(() -> new RegistryException.InvalidField("agentId", "No agent " + agentId));
        if (agent.kind() != AgentKind.COHORT_BUILDER) {
            throw new RegistryException.InvalidField(
                    "agentId", "Agent " + agentId + " is a " + agent.kind() + ", not a COHORT_BUILDER");
        }
        return agent;
    }

    /** Why the builder may not work on the dataset now, or null when it may. */
    private @Nullable String stopReason(AgentView agent, String dataset) {
        if (agent.status() != AgentStatus.ACTIVE) {
            return "Agent " + agent.id() + " is " + agent.status() + ", not ACTIVE";
        }
        String client = agent.clientId() == null ? agent.id().toString() : agent.clientId();
        if (killSwitches.covers(client, TOOL, dataset).any()) {
            return "A kill switch covers agent " + agent.id() + " (its cohort builds or dataset " + dataset + ")";
        }
        if (!agent.dataScopes().contains(dataset)) {
            return "Agent " + agent.id() + " no longer holds data scope " + dataset;
        }
        return null;
    }

    // ---- the process's steps ---------------------------------------------------------------------------

    void registerWith(WorkflowEngine workflows) {
        workflows.register(TaskTypes.COHORT_EXTRACT, job -> step(job, "extract", this::extract));
        workflows.register(
                TaskTypes.COHORT_CLASSIFY,
                job -> step(
                        job,
                        "classify",
                        (run, progress) -> pipeline.classify(run.id(), progress, sources.renderer(source(run)))
                                .size()));
        workflows.register(
                TaskTypes.COHORT_DESCRIBE,
                job -> step(
                        job,
                        "describe",
                        (run, progress) -> pipeline.describe(run.id(), progress).size()));
        workflows.register(
                TaskTypes.COHORT_EMBED,
                job -> step(job, "embed", (run, progress) -> pipeline.embed(run.id(), progress)));
        workflows.register(
                TaskTypes.COHORT_INDEX,
                job -> step(job, "index", (run, progress) -> {
                    long version = pipeline.index(run.id(), run.collection(), run.dataset())
                            .version();
                    jdbc.sql("update cohort_run set index_version = ? where id = ?")
                            .params(version, run.id())
                            .update();
                    return 1;
                }));
        workflows.register(
                TaskTypes.COHORT_PROJECT,
                job -> step(job, "project", (run, progress) -> pipeline.project(run.id(), progress)));
        workflows.register(
                TaskTypes.COHORT_PUBLISH,
                job -> step(job, "publish", (run, progress) -> {
                    Run current = find(run.id()).orElseThrow();
                    publish(current, current.indexVersion() == null ? 0 : current.indexVersion(), "system:warden");
                    return 1;
                }));
        workflows.register(TaskTypes.COHORT_FAIL, this::fail);
    }

    @FunctionalInterface
    private interface Work {

        int run(Run run, CohortPipeline.Progress progress);
    }

    /**
     * The run's data source as registered now: a source removed, or bound to another scope since the run started,
     * stops the run rather than letting it index records under a scope they no longer belong to.
     */
    private DataSourceView source(Run run) {
        DataSourceView source =
                run.sourceKey() == null ? null : catalogue.find(run.sourceKey()).orElse(null);
        if (source == null) {
            throw new IllegalStateException("data source " + run.sourceKey() + " is not registered");
        }
        if (!source.scopeKey().equals(run.dataset())) {
            throw new IllegalStateException("data source " + source.key() + " is now bound to scope "
                    + source.scopeKey() + ", not the run's " + run.dataset());
        }
        return source;
    }

    /**
     * The builder's cohort of that name: its collection, created on the builder's first run of the name. The
     * collection carries the builder's id, and the table's keys make sure no two builders ever share one.
     */
    private String cohortOf(AgentView agent, String name) {
        String agentId = agent.id().toString();
        Optional<String> owned = jdbc.sql("select collection from cohort where agent_id = ? and name = ?")
                .params(agentId, name)
                .query(String.class)
                .optional();
        if (owned.isPresent()) {
            return owned.get();
        }
        String base = "cohort-" + agentId.replace("-", "").substring(0, 12) + "-" + name;
        // the derived name is taken only by a cohort transferred away from this builder: number the next one
        for (int i = 1; i < 10; i++) {
            String collection = i == 1 ? base : base + "-" + i;
            int created = jdbc.sql("""
                    insert into cohort (collection, name, agent_id, created_at) values (?, ?, ?, ?) on conflict do nothing""")
                    .params(collection, name, agentId, Timestamp.from(clock.instant()))
                    .update();
            if (created == 1) {
                return collection;
            }
            Optional<String> raced = jdbc.sql("select collection from cohort where agent_id = ? and name = ?")
                    .params(agentId, name)
                    .query(String.class)
                    .optional();
            if (raced.isPresent()) {
                return raced.get();
            }
        }
        throw new RegistryException.Conflict(
                "cohort-collection-taken",
                "The collections for cohort '" + name + "' of agent " + agentId
                        + " belong to other cohorts; choose another cohort name");
    }

    /** The builder agent that owns the cohort whose collection this is, if any. */
    Optional<String> ownerOf(String collection) {
        return jdbc.sql("select agent_id from cohort where collection = ?")
                .param(collection)
                .query(String.class)
                .optional();
    }

    /**
     * Gives a cohort to another COHORT_BUILDER agent (admins only, checked at the edge): its runs stay as they are,
     * and the new builder's runs of the cohort's name publish over it from now on.
     */
    Map<String, Object> transfer(String collection, @Nullable String toAgentId, String reason, String actorId) {
        String from = ownerOf(collection).orElseThrow(() -> new RegistryException.NotFound("cohort", collection));
        AgentView to = builder(toAgentId);
        String name = jdbc.sql("select name from cohort where collection = ?")
                .param(collection)
                .query(String.class)
                .single();
        List<String> datasets = jdbc.sql(
                        "select distinct dataset from cohort_run where collection = ? and status <> 'REPLACED'")
                .param(collection)
                .query((rows, row) -> rows.getString("dataset"))
                .list();
        if (!to.dataScopes().containsAll(datasets)) {
            throw new RegistryException.InvalidField(
                    "agentId", "Agent " + to.id() + " does not hold the cohort's data scopes " + datasets);
        }
        if (to.id().toString().equals(from)) {
            throw new RegistryException.InvalidField(
                    "agentId", "Agent " + from + " owns cohort " + collection + " already");
        }
        int moved;
        try {
            moved = jdbc.sql("update cohort set agent_id = ? where collection = ? and agent_id = ?")
                    .params(to.id().toString(), collection, from)
                    .update();
        } catch (DuplicateKeyException e) {
            throw new RegistryException.Conflict(
                    "cohort-name-taken", "Agent " + to.id() + " has a cohort named '" + name + "' already");
        }
        if (moved != 1) {
            throw new RegistryException.Conflict(
                    "cohort-owner-changed", "Cohort " + collection + " changed owner meanwhile; try again");
        }
        audit.append(AuditEvent.builder(
                        "cohort.transferred", AuditActor.person(actorId), new AuditTarget("cohort", collection))
                .agent(to.id().toString())
                .detail("from", from)
                .detail("to", to.id().toString())
                .detail("cohort", name)
                .detail("reason", reason.length() > 256 ? reason.substring(0, 256) : reason)
                .build());
        return Map.of("collection", collection, "name", name, "agentId", to.id().toString(), "previousAgentId", from);
    }

    private int extract(Run run, CohortPipeline.Progress progress) {
        SourceReader.Read read = sources.read(source(run));
        int series = pipeline.extractInstances(run.id(), read.instances(), read.problems())
                .size();
        jdbc.sql("update cohort_run set instances = ?, series = ?, skipped = ? where id = ?")
                .params(read.instances().size(), series, read.problems().size(), run.id())
                .update();
        progress.done(
                read.instances().size(),
                read.instances().size() + read.problems().size());
        return series;
    }

    private JobResult step(Job job, String step, Work work) {
        String runId = job.text("runId", "");
        Optional<Run> found = find(runId);
        if (found.isEmpty()) {
            return new JobResult.BpmnError(BpmnProcesses.Errors.COHORT_STOPPED, "run " + runId + " does not exist");
        }
        Run run = found.get();
        Optional<AgentView> agent = agents.findAgent(AgentId.of(run.agentId()));
        String reason = agent.isEmpty()
                ? "agent " + run.agentId() + " no longer exists"
                : stopReason(agent.get(), run.dataset());
        if (reason == null
                && !ownerOf(run.collection()).map(run.agentId()::equals).orElse(false)) {
            reason = "agent " + run.agentId() + " no longer owns cohort " + run.collection();
        }
        if (reason != null) {
            markStep(runId, step, "FAILED", reason);
            jdbc.sql("update cohort_run set message = ? where id = ?")
                    .params(reason, runId)
                    .update();
            return new JobResult.BpmnError(BpmnProcesses.Errors.COHORT_STOPPED, reason);
        }
        jdbc.sql("""
                update cohort_run_step set status = 'RUNNING', started_at = coalesce(started_at, ?), message = null
                where run_id = ? and step = ?""").params(Timestamp.from(clock.instant()), runId, step).update();
        try {
            int items = work.run(run, (done, total) -> progress(runId, step, done, total, false));
            progress(runId, step, items, Math.max(items, 0), true);
            jdbc.sql("update cohort_run_step set status = 'DONE', finished_at = ? where run_id = ? and step = ?")
                    .params(Timestamp.from(clock.instant()), runId, step)
                    .update();
            return JobResult.complete();
        } catch (RuntimeException e) {
            String message = step + " failed: " + e.getMessage();
            log.warn("Cohort run {}: {} ({} retries left)", runId, message, Math.max(0, job.retries() - 1), e);
            markStep(runId, step, job.retries() <= 1 ? "FAILED" : "RUNNING", message);
            if (job.retries() <= 1) {
                jdbc.sql("update cohort_run set message = ? where id = ?")
                        .params(message, runId)
                        .update();
                return new JobResult.BpmnError(BpmnProcesses.Errors.COHORT_STOPPED, message);
            }
            return new JobResult.Failure(message, BACKOFF);
        }
    }

    private void progress(String runId, String step, int done, int total, boolean force) {
        String key = runId + "/" + step;
        long now = System.nanoTime() / 1_000_000;
        Long last = lastProgress.get(key);
        if (force || last == null || now - last >= PROGRESS_EVERY_MS) {
            lastProgress.put(key, now);
            jdbc.sql("update cohort_run_step set done = ?, total = ? where run_id = ? and step = ?")
                    .params(done, total, runId, step)
                    .update();
        }
        if (force) {
            lastProgress.remove(key);
        }
    }

    private void markStep(String runId, String step, String status, String message) {
        jdbc.sql("update cohort_run_step set status = ?, message = ? where run_id = ? and step = ?")
                .params(status, message.length() > 1000 ? message.substring(0, 1000) : message, runId, step)
                .update();
    }

    private JobResult fail(Job job) {
        String runId = job.text("runId", "");
        int updated =
                jdbc.sql("""
                update cohort_run set status = 'FAILED', finished_at = ?, message = coalesce(message, 'stopped')
                where id = ? and status = 'RUNNING'""").params(Timestamp.from(clock.instant()), runId).update();
        if (updated == 1) {
            audit.append(AuditEvent.builder(
                            "cohort.build_failed", AuditActor.system("warden"), new AuditTarget("cohort-run", runId))
                    .agent(job.agentId())
                    .outcome(Outcome.MINOR_FAILURE)
                    .build());
        }
        return JobResult.complete();
    }

    /** Makes the run the cohort's published one; the runs it replaces lose their artifacts. */
    private void publish(Run run, long version, String actorId) {
        // only the cohort's owner publishes into its collection: a run started before the cohort was transferred stops
        if (!ownerOf(run.collection()).map(run.agentId()::equals).orElse(false)) {
            throw new RegistryException.Conflict(
                    "cohort-not-owned",
                    "Agent " + run.agentId() + " does not own cohort " + run.collection() + " (now "
                            + ownerOf(run.collection()).orElse("nobody") + "'s); its run cannot publish there");
        }
        List<String> replaced = jdbc.sql("""
                select id from cohort_run where collection = ? and id <> ? and status in ('PUBLISHED', 'FAILED')""")
                .params(run.collection(), run.id())
                .query((rows, row) -> rows.getString("id"))
                .list();
        jdbc.sql("""
                update cohort_run set status = 'PUBLISHED', index_version = ?, finished_at = coalesce(finished_at, ?), message = null
                where id = ?""").params(version, Timestamp.from(clock.instant()), run.id()).update();
        // the gateway reads a collection only as the catalog describes it: within the cohort's data scope
        collections.published(published(run, version, actorId));
        for (String old : replaced) {
            jdbc.sql("update cohort_run set status = 'REPLACED' where id = ?")
                    .param(old)
                    .update();
            pipeline.delete(old);
        }
        audit.append(AuditEvent.builder(
                        "cohort.run_published",
                        actorId.startsWith("system:") ? AuditActor.system("warden") : AuditActor.person(actorId),
                        new AuditTarget("cohort-run", run.id()))
                .agent(run.agentId())
                .detail("cohort", run.cohort())
                .detail("collection", run.collection())
                .detail("indexVersion", version)
                .detail("series", run.series())
                .detail("replaced", replaced.size())
                .build());
    }

    private ExternalCollections.Published published(Run run, long version, String actorId) {
        return new ExternalCollections.Published(
                run.collection(),
                "Cohort " + run.cohort(),
                run.dataset(),
                Modality.TEXT,
                pipeline.embedder().modelName(),
                IndexKind.HNSW,
                pipeline.embedder().dimension(),
                version,
                actorId.startsWith("system:") ? "system:warden" : actorId);
    }

    /**
     * Enters the published runs' collections that the catalog lacks (runs published before the catalog existed), so
     * that the gateway keeps serving them. Idempotent; run at start.
     */
    void enterPublishedIntoCatalog(CollectionCatalog catalog) {
        for (Run run : jdbc.sql("select * from cohort_run where status = 'PUBLISHED' and index_version is not null")
                .query(this::run)
                .list()) {
            if (catalog.find(run.collection()).isEmpty()) {
                collections.published(
                        published(run, run.indexVersion() == null ? 0 : run.indexVersion(), "system:warden"));
            }
        }
    }

    // ---- rows ------------------------------------------------------------------------------------------

    private Run run(ResultSet rs, int row) throws SQLException {
        long version = rs.getLong("index_version");
        Long indexVersion = rs.wasNull() ? null : version;
        Timestamp finished = rs.getTimestamp("finished_at");
        return new Run(
                rs.getString("id"),
                rs.getString("cohort"),
                rs.getString("agent_id"),
                rs.getString("dataset"),
                rs.getString("source_key"),
                rs.getString("source_kind"),
                rs.getString("source"),
                rs.getString("collection"),
                rs.getString("status"),
                indexVersion,
                rs.getInt("instances"),
                rs.getInt("series"),
                rs.getInt("skipped"),
                rs.getString("message"),
                rs.getString("requested_by"),
                rs.getTimestamp("started_at").toInstant(),
                finished == null ? null : finished.toInstant(),
                List.of());
    }

    private static Step step(ResultSet rs) throws SQLException {
        Timestamp started = rs.getTimestamp("started_at");
        Timestamp finished = rs.getTimestamp("finished_at");
        return new Step(
                rs.getString("step"),
                rs.getString("status"),
                rs.getInt("done"),
                rs.getInt("total"),
                started == null ? null : started.toInstant(),
                finished == null ? null : finished.toInstant(),
                rs.getString("message"));
    }

    private static Run withSteps(Run run, List<Step> steps) {
        return new Run(
                run.id(),
                run.cohort(),
                run.agentId(),
                run.dataset(),
                run.sourceKey(),
                run.sourceKind(),
                run.source(),
                run.collection(),
                run.status(),
                run.indexVersion(),
                run.instances(),
                run.series(),
                run.skipped(),
                run.message(),
                run.requestedBy(),
                run.startedAt(),
                run.finishedAt(),
                List.copyOf(steps));
    }

    /** The salt for patient hashes: configured, or a random one kept beside the runs. */
    static byte[] patientSalt(CohortProperties properties) {
        if (!properties.patientSalt().isBlank()) {
            return properties.patientSalt().getBytes(StandardCharsets.UTF_8);
        }
        Path file = properties.runsDir().resolve("patient-salt");
        try {
            Files.createDirectories(properties.runsDir());
            if (!Files.exists(file)) {
                byte[] salt = new byte[32];
                new SecureRandom().nextBytes(salt);
                Path temporary = Files.createTempFile(properties.runsDir(), "patient-salt", ".part");
                Files.write(temporary, salt);
                try {
                    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    log.debug("{} has no POSIX permissions; the salt file keeps the folder's", file.getFileSystem());
                }
                try {
                    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException e) {
                    Files.deleteIfExists(temporary); // another instance wrote it first
                }
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Could not keep the patient-hash salt in " + file + "; set warden.cohort.patient-salt", e);
        }
    }
}
