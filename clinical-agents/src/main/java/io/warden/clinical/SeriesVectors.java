package io.warden.clinical;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Port from a DICOM series to the embeddings of its slices, in slice order, for volume search: the instances read,
 * their pixel data decoded (or rendered frames fetched from DICOMweb) and each slice embedded by the image model.
 * Thread-safe.
 */
public interface SeriesVectors {

    /** Where the series comes from. */
    sealed interface Series {}

    /** DICOM instances (Part 10 files) uploaded with the call. */
    record Uploaded(List<byte[]> instances) implements Series {
        public Uploaded {
            instances = List.copyOf(instances);
        }
    }

    /** A series of a registered DICOMweb data source. */
    record DicomWeb(String source, String studyUid, String seriesUid) implements Series {
        public DicomWeb {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(studyUid, "studyUid");
            Objects.requireNonNull(seriesUid, "seriesUid");
        }
    }

    /**
     * @param model   the embedding model of the collection searched, when known; an implementation refuses
     *                ({@code wrong-image-model}) to embed with another one
     * @param dataset the data scope the call was decided on: a DICOMweb series is read only from a data source
     *                registered in that scope ({@code source-not-in-scope}), so a call decided on one scope cannot
     *                read the images of another
     * @return one unit vector per slice, in slice order
     * @throws RetrievalRejected ({@code series-unreadable}, {@code wrong-image-model}, ...) naming the instance at fault
     */
    List<float[]> slices(Series series, @Nullable String model, String dataset);

    /** Reads no series: the stand-in while no reader is configured. */
    SeriesVectors NONE = (series, model, dataset) -> {
        throw new RetrievalRejected(
                "series-unreadable", "No DICOM series reader is configured on this instance, so no volume is built");
    };
}
