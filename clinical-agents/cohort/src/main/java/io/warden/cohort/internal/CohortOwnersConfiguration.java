package io.warden.cohort.internal;

import io.warden.clinical.cohort.CohortOwners;
import io.warden.policy.BuiltInTool;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What every instance needs, whether or not builds run in it: who owns each cohort, from the {@code cohort} table, for
 * the gateway, since every gateway must keep a suspended builder's cohorts dark; and the built-in tool a kill switch
 * names to stop builds.
 */
@Configuration(proxyBeanMethods = false)
class CohortOwnersConfiguration {

    @Bean
    CohortOwners cohortOwners(JdbcClient jdbc) {
        return collection -> jdbc.sql("select agent_id from cohort where collection = ?")
                .param(collection)
                .query(String.class)
                .optional();
    }

    /**
     * Cohort builds are a tool Warden runs itself: a TOOL kill switch may name it on every instance, whether or not
     * this one runs builds (they check the switch before and while they work).
     */
    @Bean
    BuiltInTool cohortBuildTool() {
        return new BuiltInTool(CohortBuilds.TOOL, "Cohort builds");
    }
}
