package io.warden.clinical.ingest;

import io.warden.clinical.dicom.DicomHeader;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The metadata a DICOM record carries: what was imaged and the UIDs that find it again, and the patient only as the
 * reader's salted hash ({@code patient}), so that a de-identified collection holds no identifier in clear. Labels a
 * caller adds cannot replace these keys.
 */
final class DicomMetadata {

    private DicomMetadata() {}

    static Map<String, String> of(DicomHeader header, Function<DicomHeader, Map<String, String>> labels) {
        Map<String, String> metadata = new LinkedHashMap<>();
        put(metadata, "modality", header.modality());
        put(metadata, "bodyPart", header.bodyPartExamined());
        put(metadata, "seriesDescription", header.seriesDescription());
        put(metadata, "studyInstanceUid", header.studyInstanceUid());
        put(metadata, "seriesInstanceUid", header.seriesInstanceUid());
        put(metadata, "sopInstanceUid", header.sopInstanceUid());
        put(metadata, "patient", header.patientIdHash());
        labels.apply(header).forEach(metadata::putIfAbsent);
        return metadata;
    }

    private static void put(Map<String, String> metadata, String key, @Nullable String value) {
        if (value != null && !value.isBlank()) {
            metadata.put(key, value);
        }
    }
}
