package io.warden.clinical.ingest;

import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.VolumeEmbeddings;
import io.warden.clinical.VolumeEmbeddings.Aggregation;
import io.warden.clinical.dicom.DicomHeader;
import io.warden.clinical.dicom.DicomReader;
import io.warden.clinical.dicom.DicomWebSource;
import io.warden.clinical.ingest.DicomInput.Listed;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns one DICOM series into one vector: every frame of every instance is embedded as a slice with the image model,
 * and the slice vectors are combined with {@link VolumeEmbeddings} (the median by default). This is what a collection
 * build calls for each series and what a {@code volume-search} call uses for the series it is given: Part 10 files
 * uploaded with the request, or a series' UIDs on a DICOMweb server (frames rendered by the server).
 *
 * <p>Slices are taken in order along the slice normal (ImagePositionPatient projected on the normal of
 * ImageOrientationPatient), then by location; the order does not change the median, mean or maximum, but it fixes
 * which slices a capped series keeps. A series is refused whole, never aggregated from the slices that happened to
 * decode: {@link EmbeddingRejected} with {@code volume-empty}, {@code volume-mixed-series} (instances of more than one
 * series), {@code volume-too-many-slices} (over {@link ImageLimits#maxSlices()}), or the code of the first slice that
 * failed ({@code compressed-transfer-syntax}, {@code pixel-data-truncated}, {@code not-rendered}, ...) with its
 * location. The record's metadata is the series' (modality, body part, description, study and series UIDs, the
 * patient as the reader's salted hash), {@code slices} and {@code aggregation}. Thread-safe: each call has its own
 * reading state.
 */
public final class VolumeEncoder {

    /** One series as one vector, with the metadata its record carries. */
    public record Volume(String seriesInstanceUid, float[] vector, Map<String, String> metadata, int slices) {

        public Volume {
            metadata = Map.copyOf(metadata);
        }
    }

    private final ImageEmbedder embedder;
    private final DicomReader reader;
    private final Aggregation aggregation;
    private final ImageLimits limits;

    public VolumeEncoder(ImageEmbedder embedder, DicomReader reader, Aggregation aggregation, ImageLimits limits) {
        this.embedder = embedder;
        this.reader = reader;
        this.aggregation = aggregation;
        this.limits = limits;
    }

    /** The median of the slices, as the 3D volume search this follows does. */
    public static Aggregation defaultAggregation() {
        return Aggregation.MEDIAN;
    }

    public String modelName() {
        return embedder.modelName();
    }

    public Aggregation aggregation() {
        return aggregation;
    }

    /**
     * The volume of Part 10 files sent with a request (all of one series).
     *
     * @throws EmbeddingRejected as the class comment says
     */
    public Volume fromUploads(List<byte[]> instances) {
        if (instances.size() > limits.maxSlices()) {
            throw new EmbeddingRejected(
                    "volume-too-many-slices",
                    instances.size() + " instances; a volume has at most " + limits.maxSlices() + " slices");
        }
        DicomInput input = new DicomInput.Uploads(instances, reader, limits);
        return rejectedAsProblem(input, input.list());
    }

    /**
     * The volume of a series on a DICOMweb server, rendered by it.
     *
     * @throws EmbeddingRejected as the class comment says; {@code volume-empty} when the server has no such series
     * @throws io.warden.clinical.dicom.DicomWebException when the server cannot be asked at all
     */
    public Volume fromDicomWeb(DicomWebSource source, String studyInstanceUid, String seriesInstanceUid) {
        DicomInput input = new DicomInput.Web(source, studyInstanceUid, seriesInstanceUid, limits);
        return rejectedAsProblem(input, input.list());
    }

    /**
     * The embeddings of the slices of Part 10 files sent with a request (all of one series), in slice order, not
     * aggregated: for a caller that aggregates them itself (the gateway's {@code volume-search}).
     *
     * @throws EmbeddingRejected as {@link #fromUploads} does
     */
    public List<float[]> slicesFromUploads(List<byte[]> instances) {
        if (instances.size() > limits.maxSlices()) {
            throw new EmbeddingRejected(
                    "volume-too-many-slices",
                    instances.size() + " instances; a volume has at most " + limits.maxSlices() + " slices");
        }
        DicomInput input = new DicomInput.Uploads(instances, reader, limits);
        try {
            return slices(input, input.list()).vectors();
        } catch (Refused e) {
            throw new EmbeddingRejected(e.code(), e.reason());
        }
    }

    /**
     * As {@link #slicesFromUploads}, for a series on a DICOMweb server, rendered by it.
     *
     * @throws EmbeddingRejected as {@link #fromDicomWeb} does
     */
    public List<float[]> slicesFromDicomWeb(DicomWebSource source, String studyInstanceUid, String seriesInstanceUid) {
        DicomInput input = new DicomInput.Web(source, studyInstanceUid, seriesInstanceUid, limits);
        try {
            return slices(input, input.list()).vectors();
        } catch (Refused e) {
            throw new EmbeddingRejected(e.code(), e.reason());
        }
    }

    private Volume rejectedAsProblem(DicomInput input, List<Listed> instances) {
        try {
            return encode(input, instances, header -> Map.of());
        } catch (Refused e) {
            throw new EmbeddingRejected(e.code(), e.reason());
        }
    }

    /** The volume of the listed instances, read from the input. */
    Volume encode(DicomInput input, List<Listed> instances, Function<DicomHeader, Map<String, String>> labels)
            throws Refused {
        Slices slices = slices(input, instances);
        List<float[]> vectors = slices.vectors();
        Map<String, String> metadata = new LinkedHashMap<>(DicomMetadata.of(slices.first(), labels));
        metadata.remove("sopInstanceUid");
        metadata.put("slices", Integer.toString(vectors.size()));
        metadata.put("aggregation", aggregation.name().toLowerCase(Locale.ROOT));
        return new Volume(slices.series(), VolumeEmbeddings.aggregate(vectors, aggregation), metadata, vectors.size());
    }

    /** A series' slice embeddings in slice order, with its UID and its first instance's header. */
    private record Slices(String series, DicomHeader first, List<float[]> vectors) {}

    private Slices slices(DicomInput input, List<Listed> instances) throws Refused {
        if (instances.isEmpty()) {
            throw new Refused("volume-empty", "a volume needs at least one instance");
        }
        for (Listed instance : instances) {
            if (instance.refused() != null) {
                throw new Refused(
                        instance.refused().code(), "slice " + instance.refused().reason());
            }
        }
        List<DicomHeader> headers =
                instances.stream().map(i -> Objects.requireNonNull(i.header())).toList();
        String series = headers.getFirst().seriesInstanceUid();
        if (series == null || headers.stream().anyMatch(h -> !series.equals(h.seriesInstanceUid()))) {
            throw new Refused(
                    "volume-mixed-series",
                    "the instances are of "
                            + headers.stream()
                                    .map(h -> String.valueOf(h.seriesInstanceUid()))
                                    .distinct()
                                    .count()
                            + " series (or lack a Series Instance UID); a volume is one series");
        }
        int slices = instances.stream().mapToInt(Listed::frames).sum();
        if (slices > limits.maxSlices()) {
            throw new Refused(
                    "volume-too-many-slices",
                    "series " + series + " has " + slices + " slices; a volume has at most " + limits.maxSlices());
        }
        List<float[]> vectors = new ArrayList<>(slices);
        List<byte[]> pending = new ArrayList<>();
        List<String> pendingNames = new ArrayList<>();
        for (Listed instance : ordered(instances)) {
            for (int first = 0; first < instance.frames(); first += limits.batchSize()) {
                int count = Math.min(limits.batchSize(), instance.frames() - first);
                List<byte[]> frames;
                try {
                    frames = input.frames(instance, first, count);
                } catch (Refused e) {
                    throw new Refused(e.code(), "slice " + e.reason());
                }
                for (int f = 0; f < count; f++) {
                    pending.add(frames.get(f));
                    pendingNames.add(instance.location() + (instance.frames() > 1 ? " frame " + (first + f + 1) : ""));
                    if (pending.size() == limits.batchSize()) {
                        embed(pending, pendingNames, vectors);
                    }
                }
            }
        }
        embed(pending, pendingNames, vectors);
        return new Slices(series, headers.getFirst(), vectors);
    }

    private void embed(List<byte[]> pending, List<String> names, List<float[]> vectors) throws Refused {
        List<Embedding.Outcome> outcomes = Embedding.embed(embedder, pending);
        for (int i = 0; i < outcomes.size(); i++) {
            Embedding.Outcome outcome = outcomes.get(i);
            if (outcome.refused() != null || outcome.vector() == null) {
                Refused why = outcome.refused();
                throw new Refused(
                        why == null ? "image-undecodable" : why.code(),
                        "slice " + names.get(i) + ": " + (why == null ? "not embedded" : why.reason()));
            }
            vectors.add(outcome.vector());
        }
        pending.clear();
        names.clear();
    }

    /** Along the slice normal where position and orientation are known, those without after, then by location. */
    static List<Listed> ordered(List<Listed> instances) {
        double[] normal = null;
        for (Listed instance : instances) {
            List<Double> o = Objects.requireNonNull(instance.header()).orientation();
            if (o.size() == 6) {
                normal = new double[] {
                    o.get(1) * o.get(5) - o.get(2) * o.get(4),
                    o.get(2) * o.get(3) - o.get(0) * o.get(5),
                    o.get(0) * o.get(4) - o.get(1) * o.get(3)
                };
                break;
            }
        }
        double[] n = normal;
        Comparator<Listed> byPosition = Comparator.comparingDouble(instance -> {
            List<Double> p = Objects.requireNonNull(instance.header()).position();
            return n == null || p.size() != 3
                    ? Double.POSITIVE_INFINITY
                    : n[0] * p.get(0) + n[1] * p.get(1) + n[2] * p.get(2);
        });
        List<Listed> sorted = new ArrayList<>(instances);
        sorted.sort(byPosition.thenComparing(Listed::location));
        return sorted;
    }
}
