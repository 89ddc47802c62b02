/**
 * Reading DICOM headers without a DICOM toolkit: from Part 10 files ({@link io.warden.clinical.dicom.DicomReader},
 * {@link io.warden.clinical.dicom.DicomFolderScan}) or from a DICOMweb server's QIDO-RS searches
 * ({@link io.warden.clinical.dicom.DicomWebSource}), both behind {@link io.warden.clinical.dicom.DicomSource}.
 */
@NullMarked
@NamedInterface("dicom")
package io.warden.clinical.dicom;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
