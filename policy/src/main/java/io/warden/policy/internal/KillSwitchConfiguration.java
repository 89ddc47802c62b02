package io.warden.policy.internal;

import io.warden.audit.AuditLog;
import io.warden.policy.BuiltInTool;
import io.warden.policy.KillSwitches;
import io.warden.registry.AgentQueries;
import io.warden.registry.CatalogQueries;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.IdGenerator;

/**
 * Wires the kill switches and the propagation of policy changes between instances:
 * {@code warden.policy.kill-switch-reconcile} sets how often instances re-read them (a safety net behind the
 * notifications), {@code warden.policy.propagation-wait} how long a narrowing request waits for every live
 * instance to confirm (100 ms), {@code warden.policy.instance-name} how this instance is named to people
 * (host and port by default).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PolicyProperties.class)
class KillSwitchConfiguration {

    @Bean
    @DependsOnDatabaseInitialization
    PostgresNotifications postgresNotifications(DataSource dataSource) {
        return new PostgresNotifications(dataSource);
    }

    @Bean
    @DependsOnDatabaseInitialization
    GatewayInstances gatewayInstances(
            JdbcClient jdbc, Clock clock, PolicyProperties policy, @Value("${server.port:8080}") String port) {
        String name = policy.instanceName();
        return new GatewayInstances(jdbc, clock, name.isEmpty() ? host() + ":" + port : name, policy.propagationWait());
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * The kill-switch self-test: {@code warden.policy.self-test.bound} is how soon every instance must refuse the
     * canary (100 ms), {@code warden.policy.self-test.every} how often it runs by itself (a day).
     */
    @Bean
    @DependsOnDatabaseInitialization
    PostgresSelfTest selfTest(
            JdbcClient jdbc,
            KillSwitches killSwitches,
            GatewayService gateway,
            GatewayInstances instances,
            PostgresNotifications notifications,
            AuditLog audit,
            Clock clock,
            IdGenerator ids,
            GatewayMetrics metrics,
            PolicyProperties policy) {
        return new PostgresSelfTest(
                jdbc,
                killSwitches,
                gateway,
                instances,
                notifications,
                audit,
                clock,
                ids,
                metrics,
                policy.selfTest().bound(),
                policy.selfTest().every());
    }

    @Bean
    @DependsOnDatabaseInitialization
    PostgresKillSwitches killSwitches(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            AuditLog audit,
            ApplicationEventPublisher events,
            Clock clock,
            IdGenerator ids,
            PolicyProperties policy,
            AgentQueries agents,
            CatalogQueries registry,
            GatewayInstances instances,
            PostgresNotifications notifications,
            List<BuiltInTool> builtInTools) {
        return new PostgresKillSwitches(
                jdbc,
                transactions,
                audit,
                events,
                clock,
                ids,
                policy.killSwitchReconcile(),
                agents,
                registry,
                instances,
                notifications,
                builtInTools);
    }
}
