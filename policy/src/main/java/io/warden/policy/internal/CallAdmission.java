package io.warden.policy.internal;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's bulkhead: at most {@code limit} tool calls in flight on this instance, a call beyond that waiting at
 * most {@code wait} for one to end and otherwise refused at once (OVERLOADED, 503 with Retry-After).
 *
 * <p>Why: requests run on virtual threads, so nothing else bounds how many calls are admitted. Past what the database
 * pool, the model and the cores can serve, every extra call only lengthens the queue for a pool connection until all
 * of them time out together, late; refusing the excess early keeps the admitted calls fast and tells the agents to come
 * back. A refused call has done nothing: no decision, no backend, no outcome. Thread-safe.
 */
final class CallAdmission {

    private final int limit;
    private final long waitNanos;
    private final Semaphore permits;

    CallAdmission(int limit, Duration wait) {
        if (limit < 1) {
            throw new IllegalArgumentException("warden.gateway.max-concurrent-calls must be at least 1; got " + limit);
        }
        if (wait.isNegative()) {
            throw new IllegalArgumentException("warden.gateway.admission-wait must not be negative; got " + wait);
        }
        this.limit = limit;
        this.waitNanos = wait.toNanos();
        this.permits = new Semaphore(limit);
    }

    /**
     * Takes a place for one call; {@code false} when none came free within the wait (or the waiting thread was
     * interrupted, whose interrupt is kept). A {@code true} must be followed by exactly one {@link #leave()}.
     */
    boolean enter() {
        if (permits.tryAcquire()) {
            return true;
        }
        try {
            return waitNanos > 0 && permits.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void leave() {
        permits.release();
    }

    int limit() {
        return limit;
    }

    int inFlight() {
        return limit - permits.availablePermits();
    }
}
