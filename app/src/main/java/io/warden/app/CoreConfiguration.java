package io.warden.app;

import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.IdGenerator;
import org.springframework.util.JdkIdGenerator;

/** Time and identifiers come from beans, so tests can fix them. */
@Configuration(proxyBeanMethods = false)
@org.springframework.scheduling.annotation.EnableScheduling
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
    @org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean
    io.warden.registry.SecretStore secretStore(
            @org.springframework.beans.factory.annotation.Value(
                            "${warden.identity.secrets-dir:${warden.data-dir}/secrets}")
                    java.nio.file.Path folder) {
        return new io.warden.registry.adapters.FileSecretStore(folder);
    }
}
