package io.warden.clinical.cohort;

import io.warden.clinical.dicom.Series;
import java.util.List;

/**
 * One row of a run's series table: the series, its anatomy and, once written, its five descriptions.
 *
 * @param descriptions empty until the descriptions step
 */
public record CohortSeries(Series series, AnatomyCall anatomy, List<String> descriptions) {

    public CohortSeries {
        descriptions = List.copyOf(descriptions);
    }

    public String uid() {
        return series.seriesInstanceUid();
    }
}
