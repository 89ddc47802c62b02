package io.warden.lifecycle.internal;

import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.Job;
import io.warden.lifecycle.JobHandler;
import io.warden.lifecycle.JobResult;
import io.warden.lifecycle.WorkflowEngine;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.operaton.bpm.engine.ExternalTaskService;
import org.operaton.bpm.engine.OptimisticLockingException;
import org.operaton.bpm.engine.ProcessEngine;
import org.operaton.bpm.engine.externaltask.ExternalTaskQueryBuilder;
import org.operaton.bpm.engine.externaltask.LockedExternalTask;
import org.operaton.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.operaton.bpm.engine.impl.cfg.StandaloneProcessEngineConfiguration;
import org.operaton.bpm.engine.impl.jobexecutor.DefaultJobExecutor;
import org.operaton.bpm.engine.impl.persistence.StrongUuidGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The embedded engine: Operaton in-process, its state in Warden's PostgreSQL (tables created by Flyway;
 * the engine only validates them). Service tasks are external tasks: one worker thread per instance
 * fetches and locks the tasks of every registered type, runs their handlers through the
 * {@link JobDispatcher} and completes them, throws their BPMN errors, or fails them with the remaining
 * retries and the back-off. Timers run on the engine's job executor. Messages nobody waits for yet are
 * kept in {@code workflow_message} until they expire and delivered as soon as an instance waits for them,
 * which is what Camunda 8 does with a message's time-to-live. Safe with several Warden instances on one
 * database: tasks are locked per worker, starts and pending deliveries are serialised in PostgreSQL.
 */
final class EmbeddedWorkflowEngine implements WorkflowEngine, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedWorkflowEngine.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MAX_TASKS = 20;
    /** The most tasks handled at once by this instance. */
    private static final int MAX_IN_FLIGHT = 32;

    private static final int BATCH = 200;

    private final DataSource dataSource;
    private final JobDispatcher dispatcher;
    private final Clock clock;
    private final Duration pollInterval;
    private final Duration lockDuration;
    private final Duration messageTtl;
    private final int retries;
    private final Map<String, JobHandler> handlers = new ConcurrentHashMap<>();
    private final String workerId = "warden-" + UUID.randomUUID();
    private final Semaphore wake = new Semaphore(0);
    /** Tasks being handled, by id, with when their lock runs out; the worker extends locks before they do. */
    private final Map<String, Instant> inFlight = new ConcurrentHashMap<>();
    /** One lock per agent: lifecycle tasks of one agent change the same registry record, so they run one at a time. */
    private final Map<String, ReentrantLock> agentLocks = new ConcurrentHashMap<>();
    /** Where fetched tasks run: a new executor for every start, since a stop shuts it down. */
    private volatile ExecutorService handling = Executors.newVirtualThreadPerTaskExecutor();

    private volatile @Nullable ProcessEngine engine;
    private volatile boolean running;
    private @Nullable Thread worker;

    public EmbeddedWorkflowEngine(
            DataSource dataSource,
            JobDispatcher dispatcher,
            Clock clock,
            Duration pollInterval,
            Duration lockDuration,
            Duration messageTtl,
            int retries) {
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.lockDuration = lockDuration;
        this.messageTtl = messageTtl;
        this.retries = retries;
    }

    @Override
    public String kind() {
        return "embedded";
    }

    // ---- lifecycle ---------------------------------------------------------------------------------

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        StandaloneProcessEngineConfiguration configuration = new StandaloneProcessEngineConfiguration();
        configuration.setProcessEngineName(workerId); // one engine per Warden instance, even several in one JVM
        configuration.setDataSource(dataSource);
        configuration.setDatabaseType("postgres");
        configuration.setDatabaseSchemaUpdate("false"); // Flyway owns the schema (V6_00)
        configuration.setHistory("audit");
        configuration.setMetricsEnabled(false);
        // Ids from UUIDs, not from blocks reserved in a shared row: the block generator hands out ids under a
        // monitor and fetches the next block on a second connection, so once the pool is busy its threads,
        // each holding a connection, wait on the one that waits for another connection; and two instances
        // race for the same row. Time-based UUIDs need neither.
        configuration.setIdGenerator(new StrongUuidGenerator());
        configuration.setJobExecutorActivate(true);
        DefaultJobExecutor jobs = new DefaultJobExecutor();
        jobs.setMaxWait(1000); // a timer that falls due is picked up within a second
        jobs.setWaitTimeInMillis(500);
        configuration.setJobExecutor(jobs);
        engine = configuration.buildProcessEngine();
        if (handling.isShutdown()) {
            handling = Executors.newVirtualThreadPerTaskExecutor(); // started again after a stop
        }
        running = true;
        Thread thread = new Thread(this::work, "warden-workflow-worker");
        thread.setDaemon(true);
        thread.start();
        worker = thread;
        log.info("Embedded workflow engine started (worker {})", workerId);
    }

    @Override
    public synchronized void stop() {
        running = false;
        wake.release();
        if (worker != null) {
            try {
                worker.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        handling.shutdownNow(); // a task cut short stays locked until its lock runs out, then runs again (handlers are
        // idempotent)
        try {
            handling.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProcessEngine current = engine;
        engine = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the data source and the audit log, before the web server takes calls. */
    @Override
    public int getPhase() {
        return 0;
    }

    ProcessEngine engine() {
        ProcessEngine current = engine;
        if (current == null) {
            throw new IllegalStateException("The embedded workflow engine is not running");
        }
        return current;
    }

    // ---- the port ----------------------------------------------------------------------------------

    @Override
    public void deploy(List<String> resources) {
        withLock("deploy", () -> {
            var deployment = engine().getRepositoryService()
                    .createDeployment()
                    .name("warden-lifecycle")
                    .enableDuplicateFiltering(true);
            resources.forEach(deployment::addClasspathResource);
            deployment.deploy();
            return null;
        });
    }

    /**
     * Checks and starts in one engine transaction on one connection, holding a transaction-scoped advisory
     * lock on (process, agent): concurrent starts for the same agent, on any instance, queue behind it and
     * then see the running instance.
     */
    @Override
    public boolean start(String processId, String agentId, Map<String, Object> variables) {
        Map<String, Object> all = new HashMap<>(variables);
        all.put(BpmnProcesses.CORRELATION_VARIABLE, agentId);
        ProcessEngineConfigurationImpl configuration =
                (ProcessEngineConfigurationImpl) engine().getProcessEngineConfiguration();
        boolean started = configuration.getCommandExecutorTxRequired().execute(context -> {
            try (PreparedStatement lock = context.getDbSqlSession()
                    .getSqlSession()
                    .getConnection()
                    .prepareStatement("select pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "warden.workflow:" + processId + ":" + agentId);
                lock.execute();
            } catch (SQLException e) {
                throw new IllegalStateException("Could not lock the start of " + processId + " for " + agentId, e);
            }
            var runtime = context.getProcessEngineConfiguration().getRuntimeService();
            if (runtime.createProcessInstanceQuery()
                            .processDefinitionKey(processId)
                            .processInstanceBusinessKey(agentId)
                            .count()
                    > 0) {
                return false;
            }
            runtime.startProcessInstanceByKey(processId, agentId, all);
            return true;
        });
        if (started) {
            dispatcher.record("workflow.started", agentId, processId);
            wake.release();
        }
        return started;
    }

    /**
     * Starts in batches of {@value #BATCH}, each one engine transaction: the batch's agents are locked in a
     * fixed order (so concurrent sweeps cannot deadlock), the ones with a running instance are found with
     * one query, the others started. The start records are audited together.
     */
    @Override
    public int startAll(String processId, List<String> agentIds, Map<String, Object> variables) {
        List<String> sorted = agentIds.stream().distinct().sorted().toList();
        ProcessEngineConfigurationImpl configuration =
                (ProcessEngineConfigurationImpl) engine().getProcessEngineConfiguration();
        List<String> begun = new ArrayList<>();
        for (int from = 0; from < sorted.size(); from += BATCH) {
            List<String> batch = sorted.subList(from, Math.min(sorted.size(), from + BATCH));
            begun.addAll(configuration.getCommandExecutorTxRequired().execute(context -> {
                Connection connection =
                        context.getDbSqlSession().getSqlSession().getConnection();
                List<String> running = new ArrayList<>();
                try (PreparedStatement lock = connection.prepareStatement(
                                "select pg_advisory_xact_lock(hashtext(k)) from (select 'warden.workflow:' || ? || ':' || a as k"
                                        + " from unnest(?::text[]) a order by 1) locks");
                        PreparedStatement query = connection.prepareStatement("""
                                select e.business_key_ from act_ru_execution e join act_re_procdef d on d.id_ = e.proc_def_id_
                                where d.key_ = ? and e.parent_id_ is null and e.business_key_ = any(?::text[])""")) {
                    lock.setString(1, processId);
                    lock.setArray(2, connection.createArrayOf("text", batch.toArray()));
                    lock.execute();
                    query.setString(1, processId);
                    query.setArray(2, connection.createArrayOf("text", batch.toArray()));
                    try (ResultSet rs = query.executeQuery()) {
                        while (rs.next()) {
                            running.add(rs.getString(1));
                        }
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("Could not lock the starts of " + processId, e);
                }
                var runtime = context.getProcessEngineConfiguration().getRuntimeService();
                List<String> started = new ArrayList<>();
                for (String agentId : batch) {
                    if (!running.contains(agentId)) {
                        Map<String, Object> all = new HashMap<>(variables);
                        all.put(BpmnProcesses.CORRELATION_VARIABLE, agentId);
                        runtime.startProcessInstanceByKey(processId, agentId, all);
                        started.add(agentId);
                    }
                }
                return started;
            }));
        }
        dispatcher.recordAll("workflow.started", begun, processId);
        wake.release();
        return begun.size();
    }

    @Override
    public boolean running(String processId, String agentId) {
        return engine().getRuntimeService()
                        .createProcessInstanceQuery()
                        .processDefinitionKey(processId)
                        .processInstanceBusinessKey(agentId)
                        .count()
                > 0;
    }

    @Override
    public void correlate(String messageName, String agentId, Map<String, Object> variables) {
        if (!deliver(messageName, agentId, variables)) {
            Instant now = clock.instant();
            update(
                    "insert into workflow_message (id, name, agent_id, variables, published_at, expires_at)"
                            + " values (gen_random_uuid(), ?, ?, cast(? as jsonb), ?, ?)",
                    messageName,
                    agentId,
                    JSON.writeValueAsString(variables),
                    Timestamp.from(now),
                    Timestamp.from(now.plus(messageTtl)));
            log.debug(
                    "No instance waits for {} of agent {} yet; kept until {}",
                    messageName,
                    agentId,
                    now.plus(messageTtl));
        }
        wake.release();
    }

    /** Forgets the messages kept for the agent under these names (a new process must not see an old decision). */
    public void discardPending(String agentId, List<String> messageNames) {
        for (String name : messageNames) {
            update("delete from workflow_message where agent_id = ? and name = ?", agentId, name);
        }
    }

    @Override
    public void register(String taskType, JobHandler handler) {
        if (handlers.putIfAbsent(taskType, handler) != null) {
            throw new IllegalStateException("A handler for " + taskType + " is registered already");
        }
        wake.release();
    }

    // ---- messages ----------------------------------------------------------------------------------

    private boolean deliver(String messageName, String agentId, Map<String, Object> variables) {
        var delivered = engine().getRuntimeService()
                .createMessageCorrelation(messageName)
                .processInstanceVariableEquals(BpmnProcesses.CORRELATION_VARIABLE, agentId)
                .setVariables(variables)
                .correlateAllWithResult();
        if (!delivered.isEmpty()) {
            dispatcher.record("workflow.message", agentId, messageName);
        }
        return !delivered.isEmpty();
    }

    /** Delivers kept messages whose instance now waits for them; drops the expired ones. */
    void deliverPending() {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement expired =
                        connection.prepareStatement("delete from workflow_message where expires_at < ?")) {
                    expired.setTimestamp(1, Timestamp.from(clock.instant()));
                    expired.executeUpdate();
                }
                List<UUID> done = new ArrayList<>();
                try (PreparedStatement pending = connection.prepareStatement("""
                        select id, name, agent_id, variables::text from workflow_message
                        order by published_at limit 100 for update skip locked""");
                        ResultSet rs = pending.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Object> variables =
                                JSON.readValue(rs.getString(4), new TypeReference<Map<String, Object>>() {});
                        if (deliver(rs.getString(2), rs.getString(3), variables)) {
                            done.add(rs.getObject(1, UUID.class));
                        }
                    }
                }
                try (PreparedStatement delete =
                        connection.prepareStatement("delete from workflow_message where id = ?")) {
                    for (UUID id : done) {
                        delete.setObject(1, id);
                        delete.addBatch();
                    }
                    delete.executeBatch();
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not deliver the kept workflow messages", e);
        }
    }

    // ---- the worker --------------------------------------------------------------------------------

    private void work() {
        while (running) {
            try {
                int handled = fetchAndHandle();
                deliverPending();
                if (handled == 0) {
                    wake.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                    wake.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("The workflow worker hit an error; it carries on", e);
                    try {
                        // a poll interval's pause, which a stop or new work cuts short
                        wake.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    /**
     * Fetches the tasks that are due, up to what may run at once, and hands each to a virtual thread, so a
     * long task (a cohort build's embedding step) holds up no other process, and the parallel branches of a
     * process run in parallel. Lifecycle tasks of one agent still run one at a time; tasks still running
     * have their locks extended, so no other worker takes them over.
     */
    int fetchAndHandle() {
        if (handlers.isEmpty() || engine == null) {
            return 0;
        }
        ExternalTaskService tasks = engine().getExternalTaskService();
        extendLocks(tasks);
        int free = MAX_IN_FLIGHT - inFlight.size();
        if (free <= 0) {
            return 0;
        }
        ExternalTaskQueryBuilder fetch = tasks.fetchAndLock(Math.min(MAX_TASKS, free), workerId);
        for (String topic : handlers.keySet()) {
            fetch = fetch.topic(topic, lockDuration.toMillis());
        }
        List<LockedExternalTask> locked = fetch.execute();
        for (LockedExternalTask task : locked) {
            if (inFlight.putIfAbsent(task.getId(), clock.instant().plus(lockDuration)) != null) {
                continue;
            }
            handling.execute(() -> {
                try {
                    handleInTurn(tasks, task);
                } catch (RuntimeException e) {
                    log.warn(
                            "Handling {} task {} failed; it runs again when its lock runs out",
                            task.getTopicName(),
                            task.getId(),
                            e);
                } finally {
                    inFlight.remove(task.getId());
                    wake.release(); // its process may have a next task due
                }
            });
        }
        return locked.size();
    }

    private void extendLocks(ExternalTaskService tasks) {
        Instant soon = clock.instant().plus(lockDuration.dividedBy(2));
        inFlight.forEach((id, until) -> {
            if (until.isBefore(soon)) {
                try {
                    tasks.extendLock(id, workerId, lockDuration.toMillis());
                    inFlight.replace(id, until, clock.instant().plus(lockDuration));
                } catch (RuntimeException e) {
                    log.debug("Could not extend the lock of task {} (it may have just finished)", id, e);
                }
            }
        });
    }

    private void handleInTurn(ExternalTaskService tasks, LockedExternalTask task) {
        if (BpmnProcesses.LIFECYCLE.contains(task.getProcessDefinitionKey())) {
            Object agentId = task.getVariables().get(BpmnProcesses.CORRELATION_VARIABLE);
            var lock = agentLocks.computeIfAbsent(String.valueOf(agentId), key -> new ReentrantLock());
            lock.lock();
            try {
                handle(tasks, task);
            } finally {
                lock.unlock();
            }
        } else {
            handle(tasks, task);
        }
    }

    @SuppressForbidden(
            "a short, growing pause before a join that lost an optimistic lock is retried: nothing to wait on but time")
    private void handle(ExternalTaskService tasks, LockedExternalTask task) {
        Map<String, Object> variables = new HashMap<>();
        task.getVariables().forEach((name, value) -> {
            if (value != null) {
                variables.put(name, value);
            }
        });
        int left = task.getRetries() == null ? retries : task.getRetries();
        Object agentId = variables.get(BpmnProcesses.CORRELATION_VARIABLE);
        Job job = new Job(
                task.getId(),
                task.getProcessDefinitionKey(),
                task.getTopicName(),
                agentId == null ? String.valueOf(task.getBusinessKey()) : agentId.toString(),
                variables,
                left);
        // only the topics of registered handlers are fetched, and a handler is never unregistered
        JobHandler handler =
                Objects.requireNonNull(handlers.get(task.getTopicName()), "no handler for " + task.getTopicName());
        JobResult result = dispatcher.run(handler, job);
        for (int attempt = 1; ; attempt++) {
            try {
                switch (result) {
                    case JobResult.Complete complete -> tasks.complete(task.getId(), workerId, complete.variables());
                    case JobResult.BpmnError error ->
                        tasks.handleBpmnError(task.getId(), workerId, error.code(), error.message());
                    case JobResult.Failure failure ->
                        tasks.handleFailure(
                                task.getId(),
                                workerId,
                                failure.message(),
                                failure.message(),
                                Math.max(0, left - 1),
                                failure.backoff().toMillis());
                }
                return;
            } catch (OptimisticLockingException e) {
                // the other branch of a parallel gateway completed at the same moment: the join is retried
                if (attempt == 10) {
                    throw e;
                }
                try {
                    Thread.sleep(20L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    // ---- PostgreSQL helpers --------------------------------------------------------------------------

    /** Runs {@code work} holding a PostgreSQL advisory lock on {@code key}, so that instances do it one at a time. */
    private <T> T withLock(String key, Supplier<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_lock(hashtext(?))")) {
                lock.setString(1, "warden.workflow:" + key);
                lock.execute();
            }
            try {
                return work.get();
            } finally {
                try (PreparedStatement unlock = connection.prepareStatement("select pg_advisory_unlock(hashtext(?))")) {
                    unlock.setString(1, "warden.workflow:" + key);
                    unlock.execute();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not lock " + key + " in PostgreSQL", e);
        }
    }

    private void update(String sql, Object... parameters) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            connection.setAutoCommit(true);
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not update the workflow tables", e);
        }
    }
}
