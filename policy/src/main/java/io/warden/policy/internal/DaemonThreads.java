package io.warden.policy.internal;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Background threads of the policy module's periodic work: named, and daemons, so none keeps a stopping JVM alive. */
final class DaemonThreads {

    private DaemonThreads() {}

    static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
    }
}
