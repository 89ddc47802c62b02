package io.warden.policy;

import java.time.Duration;
import java.util.List;

/**
 * How far a change that narrows what agents may do (a kill switch, a suspension, a revoked grant, a
 * reclassified data scope) had reached when the request that made it returned: the live Warden instances that
 * confirmed they apply it, and those that had not yet. An instance that has not confirmed still applies the
 * change as soon as it hears of it or reconciles.
 *
 * @param confirmed   names of the live instances that apply the change
 * @param unconfirmed names of the live instances that had not confirmed within the wait
 * @param waited      how long the request waited
 */
public record Propagation(List<String> confirmed, List<String> unconfirmed, Duration waited) {

    public Propagation {
        confirmed = List.copyOf(confirmed);
        unconfirmed = List.copyOf(unconfirmed);
    }

    public boolean everywhere() {
        return unconfirmed.isEmpty();
    }
}
