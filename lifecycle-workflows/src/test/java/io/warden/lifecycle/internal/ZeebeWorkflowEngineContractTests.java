package io.warden.lifecycle.internal;

import static org.awaitility.Awaitility.await;

import io.warden.lifecycle.WorkflowEngine;
import java.time.Duration;
import java.util.Optional;

/**
 * The Camunda 8 adapter passes the contract on a real Zeebe engine: its commands (deploy, create instance,
 * publish message, job workers with complete / throw-error / fail) go over the client's gRPC transport to
 * the in-memory engine; its one search ({@link WorkflowEngine#running}) goes to {@link ZeebeSearchFake},
 * which answers from the engine's own log, since that engine has no search API. Timers fire on the
 * engine's clock.
 */
class ZeebeWorkflowEngineContractTests extends WorkflowEngineContract {

    private ZeebeInMemory zeebe;
    private ZeebeSearchFake search;
    private Camunda8WorkflowEngine adapter;

    @Override
    WorkflowEngine startEngine(JobDispatcher dispatcher) {
        zeebe = ZeebeInMemory.start();
        search = ZeebeSearchFake.start(zeebe);
        adapter = ZeebeSearchFake.adapter(zeebe, search, dispatcher);
        adapter.start();
        return adapter;
    }

    @Override
    void stopEngine() throws Exception {
        adapter.destroy();
        search.close();
        zeebe.close();
    }

    @Override
    void passTime(Duration duration) {
        zeebe.increaseTime(duration);
    }

    @Override
    void awaitTimer(String processId, String agentId) {
        // the timer's CREATED record is in the engine's log only once the timer is in its state, so the clock may move
        // now; waiting for the engine to be idle instead can time out while job workers keep polling
        await().atMost(Duration.ofSeconds(30)).until(() -> search.timerCreated(processId, agentId));
    }

    @Override
    Optional<String> endEvent(String processId, String agentId) {
        return search.endEvent(processId, agentId);
    }
}
