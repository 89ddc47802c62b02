package io.warden.clinical.dicom;

import org.jspecify.annotations.Nullable;

/**
 * Test data: a {@link Series} with valid defaults (a 12-slice axial CT-like series of 512×512 images, 2.5 mm slices,
 * untilted, with no modality, body part or descriptions) so that a test names only the header fields it is about:
 * {@code aSeries().modality("MR").seriesDescription("AX T2").build()}. A field left unset is absent from the header.
 */
public final class SeriesBuilder {

    private String seriesInstanceUid = "1.2.3";
    private @Nullable String studyInstanceUid = "1.2";
    private @Nullable String modality;
    private @Nullable String bodyPartExamined;
    private @Nullable String seriesDescription;
    private @Nullable String studyDescription;
    private Series.Orientation orientation = Series.Orientation.AXIAL;
    private int sliceCount = 12;
    private int images = 12;
    private @Nullable Double sliceThickness = 2.5;
    private @Nullable Integer rows = 512;
    private @Nullable Integer columns = 512;
    private @Nullable String manufacturer = "SIEMENS";
    private @Nullable Double tilt = 0.0;

    private SeriesBuilder() {}

    public static SeriesBuilder aSeries() {
        return new SeriesBuilder();
    }

    /** A header with nothing but the series' uid, one image and an unknown orientation. */
    public static SeriesBuilder aBareSeries(String seriesInstanceUid) {
        SeriesBuilder b = new SeriesBuilder();
        b.seriesInstanceUid = seriesInstanceUid;
        b.studyInstanceUid = null;
        b.orientation = Series.Orientation.UNKNOWN;
        b.sliceCount = 1;
        b.images = 1;
        b.sliceThickness = null;
        b.rows = null;
        b.columns = null;
        b.manufacturer = null;
        b.tilt = null;
        return b;
    }

    public SeriesBuilder modality(String modality) {
        this.modality = modality;
        return this;
    }

    public SeriesBuilder bodyPartExamined(String bodyPartExamined) {
        this.bodyPartExamined = bodyPartExamined;
        return this;
    }

    public SeriesBuilder seriesDescription(String seriesDescription) {
        this.seriesDescription = seriesDescription;
        return this;
    }

    public SeriesBuilder studyDescription(String studyDescription) {
        this.studyDescription = studyDescription;
        return this;
    }

    public Series build() {
        return new Series(
                seriesInstanceUid,
                studyInstanceUid,
                modality,
                bodyPartExamined,
                seriesDescription,
                studyDescription,
                orientation,
                sliceCount,
                images,
                sliceThickness,
                rows,
                columns,
                manufacturer,
                tilt);
    }
}
