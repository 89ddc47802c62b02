package io.warden.lifecycle.internal;

import static java.util.Objects.requireNonNull;
import static org.awaitility.Awaitility.await;

import io.warden.lifecycle.WorkflowEngine;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The Camunda 8 adapter passes the contract on a real Zeebe engine: its commands (deploy, create instance,
 * publish message, job workers with complete / throw-error / fail) go over the client's gRPC transport to
 * the in-memory engine; its one search ({@link WorkflowEngine#running}) goes to {@link ZeebeSearchFake},
 * which answers from the engine's own log, since that engine has no search API. Timers fire on the
 * engine's clock.
 */
class ZeebeWorkflowEngineContractTests extends WorkflowEngineContract {

    /** What {@link #startEngine} started for the current test. */
    private record Started(ZeebeInMemory zeebe, ZeebeSearchFake search, Camunda8WorkflowEngine adapter) {}

    private @Nullable Started started;

    private Started started() {
        return requireNonNull(started, "the contract starts the engine before each test");
    }

    @Override
    WorkflowEngine startEngine(JobDispatcher dispatcher) {
        ZeebeInMemory zeebe = ZeebeInMemory.start();
        ZeebeSearchFake search = ZeebeSearchFake.start(zeebe);
        Camunda8WorkflowEngine adapter = ZeebeSearchFake.adapter(zeebe, search, dispatcher);
        started = new Started(zeebe, search, adapter);
        adapter.start();
        return adapter;
    }

    @Override
    void stopEngine() throws Exception {
        started().adapter().destroy();
        started().search().close();
        started().zeebe().close();
    }

    @Override
    void passTime(Duration duration) {
        started().zeebe().increaseTime(duration);
    }

    @Override
    void awaitTimer(String processId, String agentId) {
        // the timer's CREATED record is in the engine's log only once the timer is in its state, so the clock may move
        // now; waiting for the engine to be idle instead can time out while job workers keep polling
        await().atMost(Duration.ofSeconds(30)).until(() -> started().search().timerCreated(processId, agentId));
    }

    @Override
    Optional<String> endEvent(String processId, String agentId) {
        return started().search().endEvent(processId, agentId);
    }
}
