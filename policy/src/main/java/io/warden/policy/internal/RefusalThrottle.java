package io.warden.policy.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Bounds the audit records of refusals that an agent can repeat at will (killed, unknown, rate-limited, invalid):
 * at most one record per agent and reason per {@code window}, each carrying how many refusals it stands for, so
 * a compromised agent cannot flood the append-only trail while every refusal is still counted.
 *
 * <p>The first refusal after a quiet window is recorded at once, with a count of one. Those that follow within
 * the window are counted; {@link #due()} hands out their total once the window has passed (the gateway writes it
 * as one record), or the next refusal after the window carries it. Thread-safe.
 *
 * @param <T> what the gateway needs to write a record (the refused call's agent, tool, dataset and digest)
 */
final class RefusalThrottle<T> {

    /** A record to write: the call it describes and how many refusals it stands for. */
    record Due<T>(T call, long count) {}

    private static final class Window<T> {
        long writtenAt;
        long pending;
        T last;

        Window(long writtenAt, T last) {
            this.writtenAt = writtenAt;
            this.last = last;
        }
    }

    private final long windowNanos;
    private final LongSupplier nanoTime;
    private final Cache<String, Window<T>> windows = Caffeine.newBuilder()
            .maximumSize(100_000)
            .expireAfterAccess(Duration.ofMinutes(10))
            .build();

    RefusalThrottle(Duration window, LongSupplier nanoTime) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the refusal record window must be positive; got " + window);
        }
        this.windowNanos = window.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Counts a refusal; returns how many refusals a record written now must carry, or 0 when this one is only
     * counted (a record was written for this agent and reason within the window).
     */
    long refused(String agent, String reason, T call) {
        long now = nanoTime.getAsLong();
        String key = agent + "\u001f" + reason;
        long[] count = {0};
        windows.asMap().compute(key, (k, window) -> {
            if (window == null) {
                count[0] = 1;
                return new Window<>(now, call);
            }
            window.last = call;
            if (now - window.writtenAt >= windowNanos) {
                count[0] = window.pending + 1;
                window.pending = 0;
                window.writtenAt = now;
            } else {
                window.pending++;
            }
            return window;
        });
        return count[0];
    }

    /** The counted refusals whose window has passed, each to be written as one record; they are no longer pending. */
    List<Due<T>> due() {
        long now = nanoTime.getAsLong();
        List<Due<T>> due = new ArrayList<>();
        for (String key : windows.asMap().keySet()) {
            windows.asMap().computeIfPresent(key, (k, window) -> {
                if (window.pending > 0 && now - window.writtenAt >= windowNanos) {
                    due.add(new Due<>(window.last, window.pending));
                    window.pending = 0;
                    window.writtenAt = now;
                }
                return window;
            });
        }
        return due;
    }
}
