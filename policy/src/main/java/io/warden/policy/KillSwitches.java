package io.warden.policy;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Port to the kill switches. Engaging takes effect on every instance within moments (PostgreSQL
 * LISTEN/NOTIFY, with periodic reconciliation as the safety net); checks read this instance's in-memory
 * view and do no I/O. Every change is audited and published as an event. Thread-safe.
 */
public interface KillSwitches {

    /**
     * Stops calls in {@code scope} for {@code target} ({@code *} for GLOBAL). The target is resolved first: an
     * AGENT switch takes the agent's id or its client id and stores the agent's id; TOOL and DATASET name an
     * existing tool or data scope by key. Returns once the switch is committed and applied on this instance; it
     * then waits a bounded time for the other live instances ({@link #propagation(UUID)} says how far it got).
     *
     * @throws KillSwitchRefused when the switch is already engaged, or the target names nothing ({@code invalid-target})
     */
    KillSwitch engage(KillSwitchScope scope, String target, String reason, String actorId);

    /**
     * Releases a switch. A GLOBAL switch needs two people: the first call records the request, a second
     * call by someone else releases it.
     *
     * @throws KillSwitchRefused when it is not engaged, or the same person asks twice for a GLOBAL release
     */
    KillSwitch release(UUID id, String reason, String actorId);

    /**
     * Whether any switch covers a call by this agent, with this tool, on this dataset (this instance's view).
     *
     * @param agent the agent's id or its client id: a switch engaged by either form covers both
     */
    Covered covers(String agent, String tool, String dataset);

    /** Switches engaged before targets were resolved whose target names no agent, tool or data scope. */
    List<KillSwitch> unresolved();

    /**
     * Waits, at most the configured bound, until every live instance has applied this switch; says which had
     * not. Called by the API after {@link #engage} so that the answer says where the switch is in force.
     */
    Propagation propagation(UUID id);

    List<KillSwitch> active();

    /**
     * Runs {@code listener} on this instance whenever its view gains a switch (engaged here or on another
     * instance), once the view covers it; the gateway cancels the calls in flight that it now covers.
     */
    void onEngaged(Runnable listener);

    /**
     * Runs {@code listener} on this instance whenever its view loses a switch (released here or on another
     * instance), once the view no longer covers it; the gateway tells agents that hidden tools are back.
     */
    void onReleased(Runnable listener);

    /** How many live Warden instances have applied each active switch, out of how many are live. */
    Map<UUID, Applied> applied();

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
