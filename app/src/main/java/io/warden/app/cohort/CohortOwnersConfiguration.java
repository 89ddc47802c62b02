package io.warden.app.cohort;

import io.warden.clinical.cohort.CohortOwners;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Who owns each cohort, from the {@code cohort} table, for the gateway; wired whether or not builds run in this
 * instance, since every gateway must keep a suspended builder's cohorts dark.
 */
@Configuration(proxyBeanMethods = false)
class CohortOwnersConfiguration {

    @Bean
    CohortOwners cohortOwners(JdbcClient jdbc) {
        return collection -> jdbc.sql("select agent_id from cohort where collection = ?").param(collection).query(String.class).optional();
    }
}
