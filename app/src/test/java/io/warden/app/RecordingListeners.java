package io.warden.app;

import io.warden.registry.events.AgentRegistered;
import io.warden.registry.events.AgentStatusChanged;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.modulith.events.ApplicationModuleListener;

/**
 * Listeners as the audit and workflow modules will have them: asynchronous, after commit, through the
 * event publication registry. One of them fails on purpose for agents whose name says so — always, or
 * only the first time — to show that the registry keeps the undelivered publication and that it is
 * delivered again while Warden runs.
 */
@TestConfiguration(proxyBeanMethods = false)
class RecordingListeners {

    static final String FAIL_MARKER = "[listener-fails]";
    static final String FAIL_ONCE_MARKER = "[listener-fails-once]";

    @Bean
    Recorder recorder() {
        return new Recorder();
    }

    /** Records what it received. */
    static class Recorder {

        private final List<Object> received = new CopyOnWriteArrayList<>();
        private final Set<Object> failedOnce = ConcurrentHashMap.newKeySet();

        /** What arrived so far (a method, not the field: the bean is a proxy). */
        List<Object> received() {
            return List.copyOf(received);
        }

        @ApplicationModuleListener
        void on(AgentRegistered event) {
            if (event.name().contains(FAIL_MARKER)) {
                throw new IllegalStateException("listener failure for " + event.agentId());
            }
            if (event.name().contains(FAIL_ONCE_MARKER) && failedOnce.add(event.agentId())) {
                throw new IllegalStateException("first delivery fails for " + event.agentId());
            }
            received.add(event);
        }

        @ApplicationModuleListener
        void on(AgentStatusChanged event) {
            received.add(event);
        }
    }
}
