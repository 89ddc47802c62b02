package io.warden.app;

import io.warden.registry.SecretStore;
import io.warden.registry.adapters.FileSecretStore;
import java.nio.file.Path;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.util.IdGenerator;
import org.springframework.util.JdkIdGenerator;

/** Time and identifiers come from beans, so tests can fix them. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class CoreConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Random (version 4) UUIDs; tests replace the bean with a seeded generator where they need repeatable ids. */
    @Bean
    @ConditionalOnMissingBean
    IdGenerator idGenerator() {
        return new JdkIdGenerator();
    }

    /** Agents' credentials, in owner-only files under {@code warden.identity.secrets-dir} (a vault in production). */
    @Bean
    @ConditionalOnMissingBean
    SecretStore secretStore(@Value("${warden.identity.secrets-dir:${warden.data-dir}/secrets}") Path folder) {
        return new FileSecretStore(folder);
    }
}
