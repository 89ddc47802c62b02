package io.warden.collections.internal;

import io.warden.audit.AuditLog;
import io.warden.clinical.Embedder;
import io.warden.clinical.Retrieval;
import io.warden.clinical.VectorCollections;
import io.warden.collections.DicomArchives;
import io.warden.collections.GovernedCollections;
import io.warden.lifecycle.EngineStartup;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.registry.CatalogQueries;
import io.warden.registry.DataSources;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.IdGenerator;

/**
 * Wires the governed collections: the catalog (the gateway's {@code CollectionCatalog} and the cohort runs'
 * {@code ExternalCollections}), the use cases, the build's task handlers and the evaluation gate the registry asks.
 * The store and the text model are those of the retrieval service in this JVM; where retrieval runs on remote nodes
 * there are none, and builds that need them stop saying so.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CollectionsProperties.class)
class CollectionsConfiguration {

    @Bean
    PostgresCollectionCatalog collectionCatalog(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            ObjectProvider<VectorCollections> store,
            AuditLog audit,
            Clock clock) {
        return new PostgresCollectionCatalog(jdbc, transactions, store.getIfAvailable(), audit, clock);
    }

    @Bean
    CollectionService collectionService(
            JdbcClient jdbc,
            CatalogQueries scopes,
            DataSources dataSources,
            Retrieval retrieval,
            WorkflowEngine engine,
            AuditLog audit,
            CollectionsProperties properties,
            Clock clock,
            IdGenerator ids) {
        return new CollectionService(jdbc, scopes, dataSources, retrieval, engine, audit, properties, clock, ids);
    }

    @Bean
    CollectionBuilds collectionBuilds(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            CollectionService collections,
            PostgresCollectionCatalog catalog,
            ObjectProvider<VectorCollections> store,
            ObjectProvider<Embedder> embedder,
            ObjectProvider<DicomArchives> archives,
            AuditLog audit,
            CollectionsProperties properties,
            Clock clock) {
        return new CollectionBuilds(
                jdbc,
                transactions,
                collections,
                catalog,
                store.getIfAvailable(),
                embedder.getIfAvailable(),
                archives.getIfAvailable(),
                audit,
                properties,
                clock);
    }

    @Bean
    CollectionEvaluations collectionEvaluations(
            JdbcClient jdbc,
            CollectionService collections,
            PostgresCollectionCatalog catalog,
            ObjectProvider<VectorCollections> store,
            ObjectProvider<Embedder> embedder,
            CollectionsProperties properties,
            AuditLog audit,
            Clock clock,
            IdGenerator ids) {
        return new CollectionEvaluations(
                jdbc,
                collections,
                catalog,
                store.getIfAvailable(),
                embedder.getIfAvailable(),
                properties,
                audit,
                clock,
                ids);
    }

    @Bean
    GovernedCollections governedCollections(
            JdbcClient jdbc,
            CollectionService collections,
            CollectionEvaluations evaluations,
            CollectionPruner pruner) {
        return new CollectionOverviews(jdbc, collections, evaluations, pruner);
    }

    @Bean
    CollectionPruner collectionPruner(
            JdbcClient jdbc,
            CollectionService collections,
            ObjectProvider<VectorCollections> store,
            AuditLog audit,
            CollectionsProperties properties,
            Clock clock) {
        return new CollectionPruner(jdbc, collections, store.getIfAvailable(), audit, properties, clock);
    }

    /** Registers the build's task handlers once the engine runs and the processes are deployed. */
    @Bean
    SmartLifecycle collectionTasks(WorkflowEngine engine, CollectionBuilds builds) {
        return new EngineStartup(2, () -> {}, () -> builds.registerWith(engine));
    }
}
