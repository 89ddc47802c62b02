package io.warden.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The gateway's cache: no stale entry survives an invalidation, and an invalidation waits out the calls deciding. */
class PolicyCacheTests {

    final PolicyCache cache = new PolicyCache(Duration.ofMinutes(5));

    @Test
    void aLoadThatReadTheOldStateBeforeAnInvalidationIsNeverServedAfterIt() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch invalidated = new CountDownLatch(1);
        var slowLoad = CompletableFuture.supplyAsync(() -> cache.agent("agent", () -> {
            loading.countDown();
            try {
                invalidated.await(5, TimeUnit.SECONDS); // the revoking transaction commits and is applied meanwhile
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Optional.of("ACTIVE");
        }));
        assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
        cache.invalidate();
        invalidated.countDown();
        assertThat(slowLoad.get(5, TimeUnit.SECONDS)).contains("ACTIVE");
        assertThat(cache.agent("agent", () -> Optional.of("SUSPENDED")))
                .as("the old state is not put back")
                .contains("SUSPENDED");
    }

    @Test
    void entriesAreServedUntilInvalidated() {
        AtomicInteger loads = new AtomicInteger();
        assertThat(cache.tool("t", () -> Optional.of(loads.incrementAndGet()))).contains(1);
        assertThat(cache.tool("t", () -> Optional.of(loads.incrementAndGet()))).contains(1);
        cache.invalidate();
        assertThat(cache.tool("t", () -> Optional.of(loads.incrementAndGet()))).contains(2);
        assertThat(cache.scope("absent", Optional::empty)).isEmpty();
    }

    @Test
    void anInvalidationReturnsOnlyOnceTheCallsDecidingOnTheOldStateHaveRecordedTheirDecision() throws Exception {
        CountDownLatch deciding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        var call = CompletableFuture.supplyAsync(() -> cache.decide(() -> {
            deciding.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "PERMIT recorded";
        }));
        assertThat(deciding.await(5, TimeUnit.SECONDS)).isTrue();
        var invalidation = CompletableFuture.runAsync(cache::invalidate);
        Thread.sleep(100);
        assertThat(invalidation)
                .as("waits for the call deciding on the old state")
                .isNotDone();
        release.countDown();
        invalidation.get(5, TimeUnit.SECONDS);
        assertThat(call.get()).isEqualTo("PERMIT recorded");
    }

    @Test
    void aTimeToLiveMustBePositive() {
        assertThatThrownBy(() -> new PolicyCache(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("warden.gateway.cache-refresh");
    }
}
