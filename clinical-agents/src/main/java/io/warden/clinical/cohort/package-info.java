/**
 * The imaging cohort builder: turns a DICOM archive into a natural-language-searchable index of its series.
 * Each step of a build ({@link io.warden.clinical.cohort.CohortPipeline}) reads the artifacts of the steps
 * before it from the run's folder and writes its own, so that a workflow engine can run the steps as separate,
 * retryable tasks, the descriptions and the projection in parallel.
 */
@NullMarked
@NamedInterface("cohort")
package io.warden.clinical.cohort;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
