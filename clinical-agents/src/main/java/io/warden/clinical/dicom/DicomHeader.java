package io.warden.clinical.dicom;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What Warden takes from a DICOM instance's header: identifiers, what was imaged and how. The patient is
 * present only as salted hashes: no identifying value leaves the reader in clear.
 *
 * @param transferSyntax the file's Transfer Syntax UID; null when the source does not say (a DICOMweb server
 *                       need not return file meta information)
 * @param orientation ImageOrientationPatient (six direction cosines), empty when absent
 * @param position    ImagePositionPatient (three coordinates), empty when absent
 */
public record DicomHeader(
        @Nullable String transferSyntax,
        @Nullable String studyInstanceUid,
        @Nullable String seriesInstanceUid,
        @Nullable String sopInstanceUid,
        @Nullable String modality,
        @Nullable String bodyPartExamined,
        @Nullable String seriesDescription,
        @Nullable String studyDescription,
        List<Double> orientation,
        List<Double> position,
        @Nullable Double sliceThickness,
        @Nullable Integer rows,
        @Nullable Integer columns,
        @Nullable Integer numberOfFrames,
        @Nullable String manufacturer,
        @Nullable String patientIdHash,
        @Nullable String patientNameHash) {

    public DicomHeader {
        orientation = List.copyOf(orientation);
        position = List.copyOf(position);
    }
}
