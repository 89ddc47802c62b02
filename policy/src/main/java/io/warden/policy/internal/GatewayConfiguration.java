package io.warden.policy.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.warden.audit.AuditLog;
import io.warden.clinical.CollectionCatalog;
import io.warden.clinical.Retrieval;
import io.warden.clinical.SeriesVectors;
import io.warden.clinical.cohort.CohortOwners;
import io.warden.policy.KillSwitches;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.policy.PolicyVersions;
import io.warden.policy.RateLimits;
import io.warden.policy.ToolGateway;
import io.warden.policy.internal.backend.RegistryReads;
import io.warden.policy.internal.backend.ToolBackendClient;
import io.warden.registry.AgentActivity;
import io.warden.registry.AgentQueries;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Directory;
import io.warden.registry.Entitlements;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.IdGenerator;

/**
 * Wires the gateway: the decision point ({@code warden.policy.decision-point}: {@code embedded}, or
 * {@code opa} with {@code warden.policy.opa.url}, {@code .package} and {@code .timeout}), the rate limits
 * ({@code warden.gateway.rate-limits.*}) and the retrieval deadline.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({RateLimitProperties.class, GatewayProperties.class, PolicyProperties.class})
class GatewayConfiguration {

    @Bean
    @DependsOnDatabaseInitialization
    PostgresRateLimits rateLimits(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            AuditLog audit,
            Clock clock,
            RateLimitProperties settings) {
        return new PostgresRateLimits(jdbc, transactions, audit, clock, settings);
    }

    /** Every emergency access is handed to its review durably; the review itself runs in the workflows. */
    @Bean
    PeopleInTheLoop.BreakGlassReviews breakGlassHandOff(
            TransactionTemplate transactions, ApplicationEventPublisher events, IdGenerator ids) {
        return new PublishedBreakGlassReviews(transactions, events, ids);
    }

    @Bean
    PolicyDecisionPoint policyDecisionPoint(PolicyProperties policy) {
        return switch (policy.decisionPoint()) {
            case EMBEDDED -> new EmbeddedPolicyDecisionPoint();
            case OPA ->
                new OpaPolicyDecisionPoint(
                        policy.opa().url(),
                        policy.opa().packageName(),
                        policy.opa().timeout());
        };
    }

    /** The gateway's and the kill switches' meters, on the application's registry (Prometheus in the app). */
    @Bean
    GatewayMetrics gatewayMetrics(ObjectProvider<MeterRegistry> meterRegistries, Clock clock) {
        // without the application's registry (a module's own tests) the meters are kept and read by nobody
        MeterRegistry meterRegistry = meterRegistries.getIfAvailable(SimpleMeterRegistry::new);
        return new GatewayMetrics(meterRegistry, clock);
    }

    @Bean
    PolicyCache policyCache(GatewayProperties gateway) {
        return new PolicyCache(gateway.cacheRefresh());
    }

    /** The backend clients read MCP server registrations and the egress allowlist through the gateway's cache. */
    @Bean
    RegistryReads backendRegistryReads(PolicyCache cache) {
        return new RegistryReads() {
            @Override
            public <T> Optional<T> read(String area, String key, Supplier<Optional<T>> load) {
                return cache.backend(area, key, load);
            }
        };
    }

    @Bean
    PolicyVersions policyVersions(JdbcClient jdbc) {
        return new PostgresPolicyVersions(jdbc);
    }

    @Bean
    @DependsOnDatabaseInitialization
    PolicyChanges policyChanges(
            JdbcClient jdbc,
            PolicyCache cache,
            GatewayInstances instances,
            PostgresNotifications notifications,
            PolicyProperties policy,
            GatewayMetrics gatewayMetrics) {
        return new PolicyChanges(jdbc, cache, instances, notifications, policy.killSwitchReconcile(), propagation -> {
            if (propagation.everywhere()) {
                gatewayMetrics.revocationApplied(propagation.waited());
            } else {
                gatewayMetrics.revocationUnconfirmed();
            }
        });
    }

    @Bean
    GatewayService gatewayService(
            AgentQueries agents,
            CatalogQueries catalog,
            AgentActivity activity,
            Directory directory,
            KillSwitches killSwitches,
            PolicyDecisionPoint policyDecisionPoint,
            AuditLog audit,
            Retrieval retrieval,
            Clock clock,
            PolicyCache cache,
            GatewayMetrics gatewayMetrics,
            RateLimits rateLimits,
            ObjectProvider<CohortOwners> cohorts,
            ObjectProvider<ToolBackendClient> backendClients,
            ObjectProvider<CollectionCatalog> collections,
            ObjectProvider<SeriesVectors> seriesVectors,
            ObjectProvider<PeopleInTheLoop.CallApprovals> approvals,
            ObjectProvider<PeopleInTheLoop.BreakGlassReviews> breakGlassReviews,
            Entitlements entitlements,
            GatewayProperties settings,
            ObjectProvider<Tracer> tracer) {
        Duration deadline = settings.retrievalDeadline();
        Duration refusalWindow = settings.refusalRecordWindow();
        CallAdmission admission = new CallAdmission(settings.maxConcurrentCalls(), settings.admissionWait());
        GatewayService gateway = new GatewayService(
                agents,
                catalog,
                activity,
                directory,
                killSwitches,
                policyDecisionPoint,
                audit,
                retrieval,
                clock,
                deadline,
                rateLimits,
                cache,
                refusalWindow,
                gatewayMetrics,
                cohorts.getObject(), // required: without it no gateway could keep a suspended builder's cohorts dark
                backendClients.orderedStream().toList(),
                collections.getObject(), // required: without it no gateway could keep a search within its data scope
                seriesVectors.getIfAvailable(() -> SeriesVectors.NONE),
                admission,
                new PeopleInTheLoop(
                        new EntitledPeople(entitlements, Set.copyOf(settings.breakGlassGroups())),
                        // without an approval service a call that needs an approval is refused, never served
                        approvals.getIfAvailable(() -> PeopleInTheLoop.CallApprovals.NONE),
                        // without a review process an emergency access is refused, never granted unreviewed
                        breakGlassReviews.getIfAvailable(
                                () -> PeopleInTheLoop.none().breakGlass())),
                // without a tracer (tracing off) the steps run without spans, at no cost
                new GatewaySpans(tracer.getIfAvailable(() -> Tracer.NOOP)));
        gatewayMetrics.lostOutcomeRecords(gateway, GatewayService::lostOutcomeRecords);
        gatewayMetrics.admission(admission);
        return gateway;
    }

    @Bean
    ToolGateway toolGateway(
            GatewayService gateway,
            AgentQueries agents,
            CatalogQueries catalog,
            KillSwitches killSwitches,
            PolicyCache cache,
            CollectionCatalog collections,
            PolicyChanges policyChanges) {
        return new GovernedToolGateway(
                gateway, agents, catalog, killSwitches, cache, collections, policyChanges::onApplied);
    }
}
