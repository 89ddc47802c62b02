package io.warden.app;

import io.warden.lifecycle.events.RiskSignalDetected;
import io.warden.policy.KillSwitchRefused;
import io.warden.policy.KillSwitchScope;
import io.warden.policy.KillSwitches;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * The risk-signal rule's action: the agent's kill switch, engaged by Warden itself; the switch in turn opens
 * the incident process. A switch already engaged is left as it is.
 */
@Component
class RiskSignalKillSwitches {

    private static final Logger log = LoggerFactory.getLogger(RiskSignalKillSwitches.class);

    private final KillSwitches killSwitches;

    RiskSignalKillSwitches(KillSwitches killSwitches) {
        this.killSwitches = killSwitches;
    }

    @ApplicationModuleListener
    void on(RiskSignalDetected signal) {
        try {
            // by the agent's id: its client id may be gone by now (a retired identity), the agent is not
            killSwitches.engage(
                    KillSwitchScope.AGENT,
                    signal.agentId().toString(),
                    "Risk signal: " + signal.reason(),
                    "system:lifecycle-rules");
        } catch (KillSwitchRefused e) {
            if (!e.code().equals("already-engaged")) {
                throw e; // not delivered: the event publication registry delivers it again
            }
            log.info("Risk signal for {}: its kill switch is engaged already", signal.clientId());
        }
    }
}
