package io.warden.cohort.internal;

import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.Retrieval;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SeriesVectors;
import io.warden.clinical.dicom.DicomReader;
import io.warden.clinical.dicom.DicomWebSource;
import io.warden.clinical.ingest.ImageLimits;
import io.warden.clinical.ingest.VolumeEncoder;
import io.warden.registry.DataSourceKind;
import io.warden.registry.DataSourceView;
import io.warden.registry.DataSources;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * {@code volume-search}'s series reader: uploaded Part 10 instances decoded here, or a series of a registered
 * DICOMweb data source rendered by its server, each slice embedded by this instance's image model. A DICOMweb series
 * is read only from a data source registered in the data scope the call was decided on. Thread-safe.
 */
final class DicomSeriesVectors implements SeriesVectors {

    private final Retrieval retrieval;
    private final DataSources sources;
    private final CohortSources servers;
    private final byte[] salt;
    private final ImageLimits limits;

    DicomSeriesVectors(
            Retrieval retrieval, DataSources sources, CohortSources servers, byte[] salt, ImageLimits limits) {
        this.retrieval = retrieval;
        this.sources = sources;
        this.servers = servers;
        this.salt = salt.clone();
        this.limits = limits;
    }

    @Override
    public List<float[]> slices(Series series, @Nullable String model, String dataset) {
        ImageEmbedder embedder = retrieval
                .localImageEmbedder()
                .orElseThrow(() -> new RetrievalRejected(
                        "no-image-model", "No image model runs on this instance (warden.retrieval.image)"));
        if (model != null && !model.equals(embedder.modelName())) {
            throw new RetrievalRejected(
                    "wrong-image-model",
                    "The collection was embedded with " + model + "; this instance's image model is "
                            + embedder.modelName());
        }
        VolumeEncoder encoder =
                new VolumeEncoder(embedder, new DicomReader(salt), VolumeEncoder.defaultAggregation(), limits);
        try {
            return switch (series) {
                case Uploaded uploaded -> encoder.slicesFromUploads(uploaded.instances());
                case DicomWeb web -> {
                    DicomWebSource server = server(web.source(), dataset);
                    yield encoder.slicesFromDicomWeb(server, web.studyUid(), web.seriesUid());
                }
            };
        } catch (EmbeddingRejected e) {
            throw new RetrievalRejected(e.code(), String.valueOf(e.getMessage()));
        }
    }

    /** The DICOMweb server of a data source registered in {@code dataset}; one refusal for every other case. */
    private DicomWebSource server(String key, String dataset) {
        Optional<DataSourceView> source = sources.find(key);
        if (source.isEmpty()
                || source.get().kind() != DataSourceKind.DICOMWEB
                || !source.get().scopeKey().equals(dataset)) {
            throw new RetrievalRejected(
                    "source-not-in-scope",
                    "No DICOMweb data source '" + key + "' is registered in data scope " + dataset);
        }
        return servers.dicomWebFor(source.get());
    }
}
