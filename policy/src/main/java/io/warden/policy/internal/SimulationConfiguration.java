package io.warden.policy.internal;

import io.warden.audit.AuditLog;
import io.warden.audit.RecordedDecisions;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import io.warden.registry.CatalogQueries;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Wires what-if replay of policy changes over the configured decision point. */
@Configuration(proxyBeanMethods = false)
class SimulationConfiguration {

    @Bean
    ReplaySimulator policySimulations(
            RecordedDecisions recorded,
            CatalogQueries catalog,
            JdbcClient jdbc,
            Clock clock,
            PolicyDecisionPoint decisionPoint,
            AuditLog audit,
            AgentQueries agents) {
        return new ReplaySimulator(
                recorded,
                new CatalogPolicyData(catalog, jdbc, clock),
                decisionPoint,
                audit,
                clientId -> agents.findAgentByClientId(clientId)
                        .map(AgentView::name)
                        .orElse(clientId));
    }
}
