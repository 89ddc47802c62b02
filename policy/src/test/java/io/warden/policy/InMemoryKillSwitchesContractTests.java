package io.warden.policy;

import io.warden.registry.AgentView;
import io.warden.registry.DataScopeView;
import io.warden.registry.ToolView;

/** The tests' in-memory kill switches keep the same promises as the PostgreSQL ones, so tests built on them hold. */
class InMemoryKillSwitchesContractTests extends KillSwitchesContract {

    private final InMemoryKillSwitches switches =
            new InMemoryKillSwitches(registered, registered, audit, events, clock);

    @Override
    protected KillSwitches switches() {
        return switches;
    }

    @Override
    protected void givenRegistered(AgentView agent, ToolView tool, DataScopeView dataScope) {
        // it reads the contract's registry
    }
}
