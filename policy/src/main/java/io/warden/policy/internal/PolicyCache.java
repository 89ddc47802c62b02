package io.warden.policy.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * What the gateway reads from the registry for a decision (agents by client id, tools, data scopes, whether an
 * owner's account is active), cached, and the fence that makes a revocation safe to confirm.
 *
 * <p>Two races are closed here. A lookup that read the registry before a revoking transaction committed must not
 * put the old state back after the cache was cleared: every entry carries the epoch it was loaded in, and
 * {@link #invalidate()} moves the epoch on before clearing, so such an entry is never served. And a call that
 * read the old state just before the change must not record a PERMIT after this instance confirmed the change:
 * calls decide inside {@link #decide(Supplier)} (a shared lock, held from the first lookup until the decision is
 * recorded), and {@link #invalidate()} and {@link #awaitDecisions()} return only once every such call has finished.
 * Entries also expire after {@code timeToLive}, the safety net behind the notifications. Thread-safe.
 */
final class PolicyCache {

    private record Entry<T>(long epoch, Optional<T> value) {}

    private final AtomicLong epoch = new AtomicLong();
    /** The policy data version (policy_data_version) this instance applies; -1 until it applied one. */
    private volatile long dataVersion = -1;
    /** Non-fair: a waiting invalidation still holds new calls back, so it is not starved by a busy gateway. */
    private final ReentrantReadWriteLock fence = new ReentrantReadWriteLock();

    private final Duration timeToLive;
    private final Cache<String, Entry<Object>> agents;
    private final Cache<String, Entry<Object>> tools;
    private final Cache<String, Entry<Object>> scopes;
    private final Cache<String, Entry<Object>> owners;
    private final Cache<String, Entry<Object>> backends;

    public PolicyCache(Duration timeToLive) {
        if (timeToLive.isNegative() || timeToLive.isZero()) {
            throw new IllegalArgumentException("warden.gateway.cache-refresh must be positive; got " + timeToLive);
        }
        this.timeToLive = timeToLive;
        agents = build();
        tools = build();
        scopes = build();
        owners = build();
        backends = build();
    }

    private Cache<String, Entry<Object>> build() {
        return Caffeine.newBuilder()
                .maximumSize(100_000)
                .expireAfterWrite(timeToLive)
                .build();
    }

    <T> Optional<T> agent(String clientId, Supplier<Optional<T>> load) {
        return get(agents, clientId, load);
    }

    <T> Optional<T> tool(String key, Supplier<Optional<T>> load) {
        return get(tools, key, load);
    }

    <T> Optional<T> scope(String key, Supplier<Optional<T>> load) {
        return get(scopes, key, load);
    }

    <T> Optional<T> owner(String id, Supplier<Optional<T>> load) {
        return get(owners, id, load);
    }

    /** What the backend clients read: MCP server registrations and egress allowlist entries, by area and key. */
    <T> Optional<T> backend(String area, String key, Supplier<Optional<T>> load) {
        return get(backends, area + '\u0000' + key, load);
    }

    @SuppressWarnings("unchecked")
    private <T> Optional<T> get(Cache<String, Entry<Object>> cache, String key, Supplier<Optional<T>> load) {
        long current = epoch.get();
        Entry<Object> entry = cache.getIfPresent(key);
        if (entry != null && entry.epoch() == current) {
            return (Optional<T>) entry.value();
        }
        Optional<T> loaded = load.get();
        if (epoch.get()
                == current) { // an entry put after a concurrent invalidation carries the old epoch: never served
            cache.put(key, new Entry<>(current, (Optional<Object>) loaded));
        }
        return loaded;
    }

    /** Runs one call's lookups and decision, up to the durable record of the decision, inside the fence. */
    <T> T decide(Supplier<T> decision) {
        var shared = fence.readLock();
        shared.lock();
        try {
            return decision.get();
        } finally {
            shared.unlock();
        }
    }

    /** The policy data version the cached rules are read under, for decision records; -1 before any was applied. */
    long dataVersion() {
        return dataVersion;
    }

    /**
     * Names the policy data version the next lookups read; set before {@link #invalidate()}, so that a decision that
     * reads the new rules never names the old version (one that began just before may name the new one).
     */
    void dataVersion(long version) {
        dataVersion = version;
    }

    /** Drops every cached lookup; returns once no call that could have read the old state is still deciding. */
    void invalidate() {
        epoch.incrementAndGet();
        agents.invalidateAll();
        tools.invalidateAll();
        scopes.invalidateAll();
        owners.invalidateAll();
        backends.invalidateAll();
        awaitDecisions();
    }

    /** Returns once every call that was deciding when it was called has recorded its decision. */
    void awaitDecisions() {
        var exclusive = fence.writeLock();
        exclusive.lock();
        exclusive.unlock();
    }
}
