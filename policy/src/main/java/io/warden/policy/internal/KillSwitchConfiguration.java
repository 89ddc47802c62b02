package io.warden.policy.internal;

import io.warden.audit.AuditLog;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.IdGenerator;

/** Wires the kill switches; {@code warden.policy.kill-switch-reconcile} sets how often instances re-read them. */
@Configuration(proxyBeanMethods = false)
class KillSwitchConfiguration {

    @Bean
    @DependsOnDatabaseInitialization
    PostgresKillSwitches killSwitches(DataSource dataSource, JdbcClient jdbc, TransactionTemplate transactions, AuditLog audit,
            ApplicationEventPublisher events, Clock clock, IdGenerator ids,
            @Value("${warden.policy.kill-switch-reconcile:PT3S}") Duration reconcile) {
        return new PostgresKillSwitches(dataSource, jdbc, transactions, audit, events, clock, ids, reconcile);
    }
}
