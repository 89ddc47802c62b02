package io.warden.clinical.ingest;

import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.VectorRecord;
import io.warden.clinical.VolumeEmbeddings.Aggregation;
import io.warden.clinical.dicom.DicomHeader;
import io.warden.clinical.dicom.DicomReader;
import io.warden.clinical.dicom.DicomWebSource;
import io.warden.clinical.ingest.DicomInput.Listed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * DICOM series as volume records: the instances of a folder or a DICOMweb server grouped by Series Instance UID, each
 * series embedded slice by slice and aggregated by a {@link VolumeEncoder} into one record whose id is the series
 * UID. Items are the series in UID order, then the inputs that belong to no series (files that are not readable
 * DICOM) in location order, each a {@link IngestItem.Rejected}; a series the encoder refuses is one
 * {@link IngestItem.Rejected} with its code (see {@link VolumeEncoder}). Not thread-safe: one build reads a source at
 * a time.
 */
public final class DicomSeriesSource implements IngestSource {

    private final DicomInput input;
    private final VolumeEncoder encoder;
    private final Function<DicomHeader, Map<String, String>> labels;
    private @Nullable List<List<Listed>> units;

    private DicomSeriesSource(
            DicomInput input, VolumeEncoder encoder, Function<DicomHeader, Map<String, String>> labels) {
        this.input = input;
        this.encoder = encoder;
        this.labels = labels;
    }

    /**
     * The series under a data source's folder.
     *
     * @param labels metadata to add per series, from its first instance's header
     */
    public static DicomSeriesSource folder(
            Path folder,
            DicomReader reader,
            ImageEmbedder embedder,
            Aggregation aggregation,
            ImageLimits limits,
            Function<DicomHeader, Map<String, String>> labels) {
        return new DicomSeriesSource(
                new DicomInput.Folder(folder, reader, 2, limits),
                new VolumeEncoder(embedder, reader, aggregation, limits),
                labels);
    }

    /** Every series a DICOMweb server holds, its frames rendered by the server. */
    public static DicomSeriesSource dicomWeb(
            DicomWebSource source,
            DicomReader reader,
            ImageEmbedder embedder,
            Aggregation aggregation,
            ImageLimits limits,
            Function<DicomHeader, Map<String, String>> labels) {
        return new DicomSeriesSource(
                new DicomInput.Web(source, null, null, limits),
                new VolumeEncoder(embedder, reader, aggregation, limits),
                labels);
    }

    @Override
    public String kind() {
        return "dicom-series-" + input.origin();
    }

    @Override
    public long size() {
        return units().size();
    }

    private List<List<Listed>> units() {
        if (units == null) {
            Map<String, List<Listed>> bySeries = new TreeMap<>();
            List<List<Listed>> alone = new ArrayList<>();
            for (Listed instance : input.list()) {
                String series =
                        instance.header() == null ? null : instance.header().seriesInstanceUid();
                if (series == null) {
                    alone.add(List.of(instance));
                } else {
                    bySeries.computeIfAbsent(series, s -> new ArrayList<>()).add(instance);
                }
            }
            List<List<Listed>> all = new ArrayList<>(bySeries.values());
            all.addAll(alone);
            units = List.copyOf(all);
        }
        return units;
    }

    @Override
    public void read(long from, Predicate<IngestItem> sink) {
        List<List<Listed>> all = units();
        for (long p = Math.max(0, from); p < all.size(); p++) {
            List<Listed> members = all.get((int) p);
            Listed first = members.getFirst();
            String series = first.header() == null ? null : first.header().seriesInstanceUid();
            IngestItem item;
            if (series == null) {
                Refused why = first.refused() != null
                        ? first.refused()
                        : new Refused("volume-mixed-series", "an instance without a Series Instance UID");
                item = new IngestItem.Rejected(p, first.location(), why.code(), why.reason());
            } else {
                try {
                    VolumeEncoder.Volume volume = encoder.encode(input, members, labels);
                    item = new IngestItem.Accepted(
                            p, new VectorRecord(volume.seriesInstanceUid(), volume.vector(), volume.metadata()));
                } catch (Refused e) {
                    item = new IngestItem.Rejected(p, series, e.code(), e.reason());
                } catch (EmbeddingRejected | RetrievalRejected e) {
                    // the slice vectors themselves refused (not finite): the series', not the build's, failure
                    item = new IngestItem.Rejected(p, series, e.code(), String.valueOf(e.getMessage()));
                }
            }
            if (!sink.test(item)) {
                return;
            }
        }
    }
}
