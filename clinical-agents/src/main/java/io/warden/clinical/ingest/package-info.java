/**
 * What a collection build reads: {@link io.warden.clinical.ingest.IngestSource} and the
 * {@link io.warden.clinical.ingest.IngestItem}s it yields, one per text item, vector, image, DICOM instance or series.
 *
 * <p>Imaging sources: {@link io.warden.clinical.ingest.ImageFileSource} (PNG and JPEG files of a folder, or uploads),
 * {@link io.warden.clinical.ingest.DicomInstanceSource} (DICOM instances of a folder, decoded here, or of a DICOMweb
 * server, rendered there) and {@link io.warden.clinical.ingest.DicomSeriesSource} (one volume record per series).
 * {@link io.warden.clinical.ingest.VolumeEncoder} turns one series (uploaded Part 10 files, or UIDs on a DICOMweb
 * server) into one aggregated vector, for a build and for {@code volume-search} alike;
 * {@link io.warden.clinical.ingest.ImageLimits} bounds what they read.
 */
@NullMarked
@NamedInterface("ingest")
package io.warden.clinical.ingest;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
