package io.warden.registry.internal;

import io.warden.audit.AuditLog;
import io.warden.registry.AgentQueries;
import io.warden.registry.CredentialPolicy;
import io.warden.registry.Directory;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.IdGenerator;

/** Wires the registry; the local directory stands in unless another {@link Directory} is configured. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({RegistryProperties.class, CredentialPolicy.class})
class RegistryConfiguration {

    @Bean
    PostgresCredentials credentials(
            JdbcClient jdbc, AgentQueries agents, Directory directory, AuditLog audit, Clock clock, IdGenerator ids) {
        return new PostgresCredentials(jdbc, agents, directory, audit, clock, ids);
    }

    @Bean
    @ConditionalOnMissingBean(Directory.class)
    LocalDirectory localDirectory(JdbcClient jdbc) {
        return new LocalDirectory(jdbc);
    }
}
