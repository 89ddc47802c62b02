package io.warden.policy.internal;

import io.warden.policy.Propagation;
import io.warden.registry.events.AgentGrantsChanged;
import io.warden.registry.events.AgentIdentityAssigned;
import io.warden.registry.events.AgentOwnerChanged;
import io.warden.registry.events.AgentPhiApproved;
import io.warden.registry.events.AgentStatusChanged;
import io.warden.registry.events.DataScopeSaved;
import io.warden.registry.events.DirectoryAccountChanged;
import io.warden.registry.events.EgressHostChanged;
import io.warden.registry.events.McpServerChanged;
import io.warden.registry.events.ToolSaved;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * Brings every instance's gateway caches up to date with the registry, and makes the request that narrowed what
 * an agent may do wait until every live instance has done so.
 *
 * <p>Triggers on the registry's tables number each change in {@code policy_change} and announce it on
 * {@value #CHANNEL} when its transaction commits (migration V14_01). On each announcement, and every few seconds
 * in case one was missed, an instance reads the newest number, drops its caches ({@link PolicyCache#invalidate()},
 * which also waits out the calls that were deciding on the old state) and records the number as applied. The
 * request that made the change applies it on its own instance at once, after the commit, and then waits, at most
 * {@code warden.policy.propagation-wait}, for the other live instances; the policy data version in force at the
 * applied change goes with it into every decision record ({@link PolicyCache#dataVersion()}); the {@link Propagation} it ends with is
 * left on the request for the API to report. Thread-safe.
 */
public final class PolicyChanges implements SmartLifecycle, PostgresNotifications.Subscriber {

    static final String CHANNEL = "warden_policy_change";
    /** The request attribute under which a request that changed policy data finds how far the change got. */
    public static final String PROPAGATION = PolicyChanges.class.getName() + ".propagation";

    private static final Logger log = LoggerFactory.getLogger(PolicyChanges.class);
    private final List<Runnable> appliedListeners = new CopyOnWriteArrayList<>();
    private final ExecutorService waiting = Executors.newVirtualThreadPerTaskExecutor();

    private final JdbcClient jdbc;
    private final PolicyCache cache;
    private final GatewayInstances instances;
    private final Duration reconcileEvery;
    private final Consumer<Propagation> observer;
    /** A lock, not a monitor: a virtual thread waiting in {@link PolicyCache#invalidate()} must not pin its carrier. */
    private final ReentrantLock applying = new ReentrantLock();

    private volatile long applied = -1;
    private volatile boolean running;
    private volatile long lastReconciled = System.nanoTime();
    private @Nullable ScheduledExecutorService scheduler;

    /** @param observer told of every propagation a request waited for (metrics) */
    PolicyChanges(
            JdbcClient jdbc,
            PolicyCache cache,
            GatewayInstances instances,
            PostgresNotifications notifications,
            Duration reconcileEvery,
            Consumer<Propagation> observer) {
        this.jdbc = jdbc;
        this.cache = cache;
        this.instances = instances;
        this.reconcileEvery = reconcileEvery;
        this.observer = observer;
        notifications.subscribe(CHANNEL, this);
    }

    @Override
    public void notified(String payload) {
        apply();
    }

    @Override
    public void resync() {
        apply();
    }

    /** Applies every change committed so far on this instance; returns the newest one's number. */
    long apply() {
        long newest;
        boolean changed = false;
        applying.lock();
        try {
            // numbers are taken in commit order (V14_01): every change up to the one read here is committed
            // and the policy data version in force at that change: the newest recorded at or before it (V22_10)
            var read = jdbc.sql("""
                            select n, (select max(version) from policy_data_version where version <= n)
                            from policy_version""")
                    .query((rs, row) -> new long[] {rs.getLong(1), rs.getObject(2) == null ? -1 : rs.getLong(2)})
                    .single();
            newest = read[0];
            if (newest > applied) {
                cache.dataVersion(read[1]);
                cache.invalidate(); // read the number first: everything up to it is committed before the caches are
                // dropped
                applied = newest;
                instances.applied(newest);
                changed = true;
            }
        } finally {
            applying.unlock();
        }
        if (changed) {
            for (Runnable listener : appliedListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    log.error("A policy-change listener failed", e);
                }
            }
        }
        return newest;
    }

    /**
     * Runs {@code listener} after this instance applied a policy change, made here or on another instance (grants,
     * statuses, tools, scopes): what an agent may call could have changed.
     */
    void onApplied(Runnable listener) {
        appliedListeners.add(listener);
    }

    /** The newest change this instance applies. */
    long applied() {
        return applied;
    }

    // The registry's events say that this request's transaction changed what the gateway caches. The triggers have
    // already numbered the change; after the commit the request applies it here and waits for the others.

    @EventListener
    void on(AgentStatusChanged event) {
        afterCommit();
    }

    @EventListener
    void on(AgentGrantsChanged event) {
        afterCommit();
    }

    @EventListener
    void on(AgentOwnerChanged event) {
        afterCommit();
    }

    @EventListener
    void on(AgentIdentityAssigned event) {
        afterCommit();
    }

    @EventListener
    void on(AgentPhiApproved event) {
        afterCommit();
    }

    @EventListener
    void on(DirectoryAccountChanged event) {
        afterCommit();
    }

    @EventListener
    void on(DataScopeSaved event) {
        afterCommit();
    }

    @EventListener
    void on(ToolSaved event) {
        afterCommit();
    }

    // An MCP tool's PHI approval and address come from its server's row, and the allowlist says where calls may go:
    // the triggers of V18_01 number those changes, and the admin's request waits until every instance applied them.

    @EventListener
    void on(McpServerChanged event) {
        afterCommit();
    }

    @EventListener
    void on(EgressHostChanged event) {
        afterCommit();
    }

    /** Propagates once the current transaction commits; once per transaction, nested ones included. */
    private final class AfterCommit implements TransactionSynchronization {

        @Override
        public void afterCompletion(int status) {
            if (status == STATUS_COMMITTED) {
                propagate();
            }
        }
    }

    private void afterCommit() {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            propagate();
            return;
        }
        // synchronizations belong to one transaction (a REQUIRES_NEW one has its own list), unlike bound resources
        if (TransactionSynchronizationManager.getSynchronizations().stream().noneMatch(AfterCommit.class::isInstance)) {
            TransactionSynchronizationManager.registerSynchronization(new AfterCommit());
        }
    }

    /**
     * Applies here, waits for the other live instances, and leaves the result on the current request. The work
     * runs on a thread of its own: after a commit the request's thread still holds the finished transaction's
     * connection, whose statements would not be committed.
     */
    Propagation propagate() {
        Propagation propagation;
        try {
            propagation = waiting.submit(() -> instances.awaitChange(apply())).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            propagation = new Propagation(List.of(), List.of("unknown: interrupted"), Duration.ZERO);
        } catch (ExecutionException | RuntimeException e) {
            // The change is committed and every instance will apply it when it next reconciles; only the wait failed.
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            log.warn("Could not confirm a policy change on every instance; they apply it when they reconcile", cause);
            propagation = new Propagation(
                    List.of(), List.of("unknown: " + cause.getClass().getSimpleName()), Duration.ZERO);
        }
        if (!propagation.everywhere()) {
            log.warn(
                    "A policy change was not confirmed within {} by {}; they apply it when they hear of it",
                    propagation.waited(),
                    propagation.unconfirmed());
        }
        observer.accept(propagation);
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        if (request != null) {
            request.setAttribute(PROPAGATION, propagation, RequestAttributes.SCOPE_REQUEST);
        }
        return propagation;
    }

    /**
     * One tick of the background loop: the heartbeat every tick, the re-read only once {@code reconcileEvery} has
     * passed, so that a deployment that reconciles rarely (it relies on notifications) does not re-read every few
     * seconds just because the heartbeat must.
     */
    private void tick() {
        try {
            instances.heartbeat();
            if (System.nanoTime() - lastReconciled >= reconcileEvery.toNanos()) {
                reconcileNow();
            }
        } catch (RuntimeException e) {
            log.warn("Could not reconcile the policy caches; retrying in {}", reconcileEvery, e);
        }
    }

    /** Re-reads the change counter and applies what this instance has not heard of: the safety net behind notifications. */
    public void reconcileNow() {
        lastReconciled = System.nanoTime();
        apply();
    }

    @Override
    public synchronized void start() {
        try {
            instances.heartbeat();
            reconcileNow();
        } catch (RuntimeException e) {
            log.warn("Could not reconcile the policy caches; retrying in {}", reconcileEvery, e);
        }
        running = true;
        ScheduledExecutorService executor = DaemonThreads.scheduler("warden-policy-reconcile");
        long every = Math.min(
                reconcileEvery.toMillis(), 5_000); // the heartbeat keeps the instance live however rare reconciles are
        executor.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
        scheduler = executor;
    }

    @Override
    public synchronized void stop() {
        running = false;
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        try {
            instances.leave();
        } catch (RuntimeException e) {
            log.debug(
                    "Could not leave the live instances; the others stop waiting for this one within {}",
                    GatewayInstances.LIVE_WINDOW);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
