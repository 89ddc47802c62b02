/**
 * What a collection build reads: {@link io.warden.clinical.ingest.IngestSource} and the
 * {@link io.warden.clinical.ingest.IngestItem}s it yields, one per text item, vector, image, DICOM instance or series.
 */
@NullMarked
@NamedInterface("ingest")
package io.warden.clinical.ingest;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
