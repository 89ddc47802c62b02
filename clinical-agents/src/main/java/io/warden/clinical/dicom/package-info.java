/** Reading DICOM Part 10 headers without a DICOM toolkit: {@link io.warden.clinical.dicom.DicomReader}. */
@NullMarked
@NamedInterface("dicom")
package io.warden.clinical.dicom;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
