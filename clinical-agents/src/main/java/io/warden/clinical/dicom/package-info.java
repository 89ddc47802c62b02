/**
 * Reading DICOM headers without a DICOM toolkit: from Part 10 files ({@link io.warden.clinical.dicom.DicomReader},
 * {@link io.warden.clinical.dicom.DicomFolderScan}) or from a DICOMweb server's QIDO-RS searches
 * ({@link io.warden.clinical.dicom.DicomWebSource}), both behind {@link io.warden.clinical.dicom.DicomSource}; and
 * their pixels: uncompressed pixel data decoded and rendered to 8 bits by
 * {@link io.warden.clinical.dicom.DicomReader#readImage} into a {@link io.warden.clinical.dicom.DicomImage}, or
 * frames rendered by a DICOMweb server ({@link io.warden.clinical.dicom.DicomWebSource#renderedFrame}).
 */
@NullMarked
@NamedInterface("dicom")
package io.warden.clinical.dicom;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
