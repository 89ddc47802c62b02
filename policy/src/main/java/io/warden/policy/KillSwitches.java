package io.warden.policy;

import java.util.List;
import java.util.UUID;

/**
 * Port to the kill switches. Engaging takes effect on every instance within moments (PostgreSQL
 * LISTEN/NOTIFY, with periodic reconciliation as the safety net); checks read this instance's in-memory
 * view and do no I/O. Every change is audited and published as an event. Thread-safe.
 */
public interface KillSwitches {

    /**
     * Stops calls in {@code scope} for {@code target} ({@code *} for GLOBAL).
     *
     * @throws KillSwitchRefused when the switch is already engaged or the input is unusable
     */
    KillSwitch engage(KillSwitchScope scope, String target, String reason, String actorId);

    /**
     * Releases a switch. A GLOBAL switch needs two people: the first call records the request, a second
     * call by someone else releases it.
     *
     * @throws KillSwitchRefused when it is not engaged, or the same person asks twice for a GLOBAL release
     */
    KillSwitch release(UUID id, String reason, String actorId);

    /** Whether any switch covers a call by this agent, with this tool, on this dataset (this instance's view). */
    Covered covers(String agentClientId, String tool, String dataset);

    List<KillSwitch> active();

    /**
     * Runs {@code listener} on this instance whenever its view gains a switch (engaged here or on another
     * instance), once the view covers it; the gateway cancels the calls in flight that it now covers.
     */
    void onEngaged(Runnable listener);

    /** How many live Warden instances have applied each active switch, out of how many are live. */
    java.util.Map<UUID, Applied> applied();

    /** A switch's reach: the instances that apply it, of the instances seen alive in the last half minute. */
    record Applied(int instances, int live) {

        public boolean everywhere() {
            return instances >= live;
        }
    }

    /** Which kinds of switch cover a call. */
    record Covered(boolean global, boolean agent, boolean tool, boolean dataset) {

        public boolean any() {
            return global || agent || tool || dataset;
        }
    }
}
