package io.warden.policy.internal;

import io.warden.audit.AuditLog;
import io.warden.audit.RecordedDecisions;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.policy.PolicyVersions;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires what-if replay of policy changes over the configured decision point. */
@Configuration(proxyBeanMethods = false)
class SimulationConfiguration {

    @Bean
    ReplaySimulator policySimulations(
            RecordedDecisions recorded,
            PolicyVersions versions,
            PolicyDecisionPoint decisionPoint,
            AuditLog audit,
            AgentQueries agents) {
        return new ReplaySimulator(
                recorded,
                versions::current,
                decisionPoint,
                audit,
                clientId -> agents.findAgentByClientId(clientId)
                        .map(AgentView::name)
                        .orElse(clientId));
    }
}
