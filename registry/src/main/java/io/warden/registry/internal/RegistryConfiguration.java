package io.warden.registry.internal;

import io.warden.registry.AgentQueries;
import io.warden.registry.Directory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Wires the registry; the local directory stands in unless another {@link Directory} is configured. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({RegistryProperties.class, io.warden.registry.CredentialPolicy.class})
class RegistryConfiguration {

    @Bean
    PostgresCredentials credentials(
            JdbcClient jdbc,
            AgentQueries agents,
            Directory directory,
            io.warden.audit.AuditLog audit,
            java.time.Clock clock,
            org.springframework.util.IdGenerator ids) {
        return new PostgresCredentials(jdbc, agents, directory, audit, clock, ids);
    }

    @Bean
    @ConditionalOnMissingBean(Directory.class)
    LocalDirectory localDirectory(JdbcClient jdbc) {
        return new LocalDirectory(jdbc);
    }
}
