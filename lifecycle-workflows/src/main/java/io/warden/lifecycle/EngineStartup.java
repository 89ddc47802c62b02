package io.warden.lifecycle;

import org.springframework.context.SmartLifecycle;

/**
 * Work to do once the workflow engine runs (phase 0): deploying processes on every start, registering task
 * handlers once, since they stay registered with the engine when a stopped context starts again.
 */
public final class EngineStartup implements SmartLifecycle {

    private final int phase;
    private final Runnable everyStart;
    private final Runnable once;
    private volatile boolean running;
    private boolean done;

    /** @param phase after the engine's 0: 1 for the lifecycle processes, 2 for work that needs them deployed */
    public EngineStartup(int phase, Runnable everyStart, Runnable once) {
        if (phase <= 0) {
            throw new IllegalArgumentException(
                    "the engine starts in phase 0; startup work runs after it, got " + phase);
        }
        this.phase = phase;
        this.everyStart = everyStart;
        this.once = once;
    }

    @Override
    public synchronized void start() {
        everyStart.run();
        if (!done) {
            once.run();
            done = true;
        }
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return phase;
    }
}
