package io.warden.cohort.internal;

import io.warden.audit.AuditLog;
import io.warden.clinical.CollectionCatalog;
import io.warden.clinical.Embedder;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.Retrieval;
import io.warden.clinical.SeriesVectors;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.cohort.Anatomy;
import io.warden.clinical.cohort.AnatomyClassifier;
import io.warden.clinical.cohort.ChatCompletionsRewriter;
import io.warden.clinical.cohort.CohortPipeline;
import io.warden.clinical.cohort.DescriptionRewriter;
import io.warden.clinical.cohort.Projection;
import io.warden.clinical.cohort.SeriesDescriptions;
import io.warden.clinical.ingest.ImageLimits;
import io.warden.collections.DicomArchives;
import io.warden.collections.ExternalCollections;
import io.warden.lifecycle.EngineStartup;
import io.warden.lifecycle.WorkflowEngine;
import io.warden.policy.KillSwitches;
import io.warden.registry.AgentQueries;
import io.warden.registry.DataSources;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.util.IdGenerator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the cohort builder where retrieval runs in this JVM (it embeds with the retrieval model and builds
 * the retrieval collections): the pipeline, the sources, the runs, and the process's task handlers. Metadata
 * tiers only by default. Descriptions are the templates unless a {@link DescriptionRewriter} bean is defined or
 * {@code warden.cohort.rewriter.endpoint} names a chat-completions endpoint.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CohortProperties.class)
@ConditionalOnProperty(name = "warden.retrieval.mode", havingValue = "local", matchIfMissing = true)
class CohortConfiguration {

    @Bean
    CohortPipeline cohortPipeline(
            CohortProperties properties,
            Embedder embedder,
            VectorCollections collections,
            ObjectProvider<DescriptionRewriter> rewriter,
            Retrieval retrieval) {
        DescriptionRewriter configured = rewriter.getIfAvailable();
        if (configured == null && properties.rewriter() != null) {
            CohortProperties.Rewriter settings = properties.rewriter();
            configured = new ChatCompletionsRewriter(
                    settings.endpoint(), settings.flavour(), settings.apiKey(), settings.model(), settings.timeout());
        }
        return new CohortPipeline(
                properties.runsDir(),
                AnatomyClassifier.metadataOnly(),
                new SeriesDescriptions(configured),
                embedder,
                collections,
                Projection.defaults(),
                IndexKind.HNSW,
                imageTier(properties, retrieval));
    }

    /** The image tier: the retrieval service's image model and the configured label embeddings; null when either is missing. */
    static CohortPipeline.@Nullable ImageTier imageTier(CohortProperties properties, Retrieval retrieval) {
        CohortProperties.ImageAnatomy settings = properties.imageAnatomy();
        if (settings == null) {
            return null;
        }
        ImageEmbedder encoder = retrieval
                .localImageEmbedder()
                .orElseThrow(() -> new IllegalStateException(
                        "warden.cohort.image-anatomy needs an image model: configure warden.retrieval.image"));
        Map<Anatomy, float[]> labels = new EnumMap<>(Anatomy.class);
        try (InputStream in = Files.newInputStream(settings.labelsFile())) {
            JsonNode root = JsonMapper.builder().build().readTree(in);
            for (var entry : root.properties()) {
                float[] vector = new float[entry.getValue().size()];
                for (int i = 0; i < vector.length; i++) {
                    vector[i] = (float) entry.getValue().get(i).asDouble();
                }
                labels.put(Anatomy.valueOf(entry.getKey()), vector);
            }
        } catch (IOException | IllegalArgumentException | JacksonException e) {
            throw new IllegalStateException(
                    "The anatomy label embeddings " + settings.labelsFile() + " cannot be read: " + e.getMessage(), e);
        }
        return new CohortPipeline.ImageTier(encoder, labels, settings.minScore());
    }

    /** Where data sources may point (the registry asks it) and how builds read them. */
    @Bean
    CohortSources cohortSources(CohortProperties properties) {
        return new CohortSources(properties, CohortBuilds.patientSalt(properties));
    }

    /** Reads the DICOM series of {@code volume-search} calls (uploads, or a registered DICOMweb source's series). */
    @Bean
    SeriesVectors dicomSeriesVectors(
            Retrieval retrieval, DataSources catalogue, CohortSources sources, CohortProperties properties) {
        return new DicomSeriesVectors(
                retrieval, catalogue, sources, CohortBuilds.patientSalt(properties), ImageLimits.defaults());
    }

    /** How collection builds open the registered DICOM sources they read (the same roots, servers and salt). */
    @Bean
    DicomArchives dicomArchives(CohortSources sources) {
        return sources::archive;
    }

    @Bean
    CohortSourceUpgrade cohortSourceUpgrade(
            JdbcClient jdbc, DataSources catalogue, CohortSources sources, CohortProperties properties) {
        return new CohortSourceUpgrade(jdbc, catalogue, sources, properties.sources());
    }

    /**
     * At start, after the demo data (whose scopes declared sources may name): declared sources, and the sources earlier
     * runs read, become registered, or the start fails saying what to declare.
     */
    @Bean
    @Order(200)
    ApplicationRunner cohortSourceUpgradeAtStart(CohortSourceUpgrade upgrade) {
        return arguments -> upgrade.upgrade();
    }

    @Bean
    CohortBuilds cohortBuilds(
            JdbcClient jdbc,
            WorkflowEngine engine,
            AgentQueries agents,
            KillSwitches killSwitches,
            AuditLog audit,
            CohortPipeline pipeline,
            CohortSources sources,
            DataSources catalogue,
            Clock clock,
            IdGenerator ids,
            ExternalCollections collections) {
        return new CohortBuilds(
                jdbc, engine, agents, killSwitches, audit, pipeline, sources, catalogue, clock, ids, collections);
    }

    /** At start: the collections of runs published before the catalog existed enter it (the gateway reads only those). */
    @Bean
    @Order(210)
    ApplicationRunner cohortCollectionsIntoCatalog(CohortBuilds builds, CollectionCatalog catalog) {
        return arguments -> builds.enterPublishedIntoCatalog(catalog);
    }

    /** Registers the build's task handlers once the engine runs and the processes are deployed. */
    @Bean
    SmartLifecycle cohortTasks(WorkflowEngine engine, CohortBuilds builds) {
        return new EngineStartup(2, () -> {}, () -> builds.registerWith(engine));
    }
}
