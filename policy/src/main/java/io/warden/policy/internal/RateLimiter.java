package io.warden.policy.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per key (agent and tool): {@code ratePerSecond} tokens a second up to {@code burst}.
 * In memory, per instance. Thread-safe.
 */
public final class RateLimiter {

    private final double ratePerSecond;
    private final double burst;
    private final Map<String, double[]> buckets = new ConcurrentHashMap<>();

    public RateLimiter(double ratePerSecond, double burst) {
        if (ratePerSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("the rate must be positive and the burst at least 1");
        }
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /** Takes a token; returns 0 when one was there, else the seconds to wait for one (at least 1). */
    public long tryAcquire(String key) {
        double[] bucket = buckets.computeIfAbsent(key, k -> new double[] {burst, System.nanoTime()});
        synchronized (bucket) {
            long now = System.nanoTime();
            bucket[0] = Math.min(burst, bucket[0] + (now - bucket[1]) / 1e9 * ratePerSecond);
            bucket[1] = now;
            if (bucket[0] >= 1) {
                bucket[0] -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - bucket[0]) / ratePerSecond));
        }
    }
}
