package io.warden.policy.internal;

import io.warden.audit.AuditLog;
import io.warden.registry.AgentQueries;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Directory;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.IdGenerator;

/** Per-call approvals in PostgreSQL: the gateway's port and the approvers' desk are one bean. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ApprovalProperties.class)
class CallApprovalConfiguration {

    @Bean
    @DependsOnDatabaseInitialization
    PostgresCallApprovals callApprovals(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            AuditLog audit,
            Clock clock,
            IdGenerator ids,
            AgentQueries agents,
            CatalogQueries catalog,
            Directory directory,
            ApprovalProperties settings) {
        return new PostgresCallApprovals(jdbc, transactions, audit, clock, ids, agents, catalog, directory, settings);
    }
}
