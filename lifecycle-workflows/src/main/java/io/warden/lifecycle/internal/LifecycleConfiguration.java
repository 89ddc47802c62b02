package io.warden.lifecycle.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.warden.audit.AuditAnalytics;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRetention;
import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.AgentLifecycle;
import io.warden.lifecycle.EngineStartup;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.registry.AgentActivity;
import io.warden.registry.AgentQueries;
import io.warden.registry.Agents;
import io.warden.registry.ApprovalQueries;
import io.warden.registry.Approvals;
import io.warden.registry.CredentialLedger;
import io.warden.registry.CredentialPolicy;
import io.warden.registry.Directory;
import io.warden.registry.IdentityProvisioner;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires the workflow engine ({@code warden.workflow.engine}: {@code embedded} or {@code camunda8}), the
 * task handlers, the triggers, the identity that follows an agent's status and the lifecycle API; deploys
 * the processes and registers the handlers as soon as the engine runs, before anything can start a process.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({WorkflowProperties.class, BreakGlassProperties.class})
class LifecycleConfiguration {

    /**
     * Picked up by Flyway's auto-configuration with every other callback bean; whatever the engine setting,
     * since {@code V6_00} runs for both.
     */
    @Bean
    static FrozenEngineSchemaCallback frozenEngineSchemaCallback() {
        return new FrozenEngineSchemaCallback();
    }

    @Bean
    JobDispatcher jobDispatcher(
            AuditLog audit,
            WorkflowProperties properties,
            ObjectProvider<MeterRegistry> meterRegistry,
            ObjectProvider<Tracer> tracer) {
        return new JobDispatcher(
                audit,
                properties.failureBackoff(),
                meterRegistry.getIfAvailable(SimpleMeterRegistry::new),
                tracer.getIfAvailable(() -> Tracer.NOOP));
    }

    @Bean
    WorkflowEngine workflowEngine(
            WorkflowProperties properties, DataSource dataSource, JobDispatcher dispatcher, Clock clock) {
        return switch (properties.engine()) {
            case "camunda8" ->
                new Camunda8WorkflowEngine(
                        properties.camunda8(), dispatcher, properties.messageTtl(), properties.lockDuration());
            default ->
                new EmbeddedWorkflowEngine(
                        dataSource,
                        dispatcher,
                        clock,
                        properties.pollInterval(),
                        properties.lockDuration(),
                        properties.messageTtl(),
                        properties.retries());
        };
    }

    @Bean
    LifecycleTasks lifecycleTasks(
            Agents agents,
            AgentQueries agentQueries,
            Approvals approvals,
            ApprovalQueries approvalQueries,
            AgentActivity activity,
            Directory directory,
            IdentityProvisioner identities,
            Notifications notifications,
            Clock clock,
            ObjectProvider<LifecycleRules> rules) {
        return new LifecycleTasks(
                agents,
                agentQueries,
                approvals,
                approvalQueries,
                activity,
                directory,
                identities,
                notifications,
                clock,
                () -> ((Number) rules.getObject()
                                .rule("recertification-due")
                                .parameters()
                                .getOrDefault("periodDays", 90))
                        .longValue());
    }

    @Bean
    WorkflowTriggers workflowTriggers(WorkflowEngine engine) {
        return new WorkflowTriggers(engine);
    }

    @Bean
    IdentityLifecycle identityLifecycle(AgentQueries agents, IdentityProvisioner identities, AuditLog audit) {
        return new IdentityLifecycle(agents, identities, audit);
    }

    @Bean
    LifecycleRules lifecycleRules(
            JdbcClient jdbc,
            DataSource dataSource,
            WorkflowEngine engine,
            AgentQueries agents,
            Directory directory,
            AuditLog audit,
            AuditAnalytics analytics,
            ApplicationEventPublisher events,
            TransactionTemplate transactions,
            Clock clock) {
        return new LifecycleRules(
                jdbc, dataSource, engine, agents, directory, audit, analytics, events, transactions, clock);
    }

    @Bean
    CredentialRotation credentialRotation(
            CredentialLedger ledger,
            IdentityProvisioner identities,
            AgentQueries agents,
            Notifications notifications,
            AuditLog audit,
            DataSource dataSource,
            TransactionTemplate transactions,
            CredentialPolicy policy,
            Clock clock) {
        return new CredentialRotation(
                ledger, identities, agents, notifications, audit, dataSource, transactions, policy, clock);
    }

    @Bean
    AgentLifecycle agentLifecycle(WorkflowEngine engine, AgentQueries registry, AuditLog audit) {
        return new LifecycleService(engine, registry, audit);
    }

    @Bean
    BreakGlassReviewService breakGlassOversight(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            WorkflowEngine engine,
            Notifications notifications,
            AuditLog audit,
            Directory directory,
            Clock clock,
            BreakGlassProperties properties) {
        return new BreakGlassReviewService(
                jdbc, transactions, engine, notifications, audit, directory, clock, properties.reviewWithin());
    }

    /** The two-person removal of the audit trail's expired start (issue 23). */
    @Bean
    AuditRemovalService auditRemovals(AuditRetention retention, WorkflowEngine engine) {
        return new AuditRemovalService(retention, engine);
    }

    /** Deploys the processes and registers the handlers right after the engine starts. */
    @Bean
    SmartLifecycle workflowBootstrap(
            WorkflowEngine engine,
            LifecycleTasks tasks,
            BreakGlassReviewService reviews,
            AuditRemovalService auditRemovals) {
        return new EngineStartup(
                1,
                () -> engine.deploy(
                        BpmnProcesses.ALL.stream().map(BpmnProcesses::resource).toList()),
                () -> {
                    tasks.registerWith(engine);
                    reviews.registerWith(engine);
                    auditRemovals.registerWith(engine);
                });
    }
}
