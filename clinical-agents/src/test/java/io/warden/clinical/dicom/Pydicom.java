package io.warden.clinical.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What pydicom reads from DICOM files, to compare the reader with: Debian's {@code /usr/bin/python3} with its
 * {@code python3-pydicom}, run once for a whole list of files.
 */
final class Pydicom {

    private static final String SCRIPT = """
            import json, os, sys, pydicom
            folder = sys.argv[1]
            out = {}
            strict = os.environ.get('WARDEN_PYDICOM_STRICT') == '1'
            for name in sys.argv[2:]:
                error = None
                try:
                    d = pydicom.dcmread(os.path.join(folder, name), stop_before_pixels=True, force=not strict)
                except Exception as e:
                    error = type(e).__name__ + ': ' + str(e)
                    try:
                        d = pydicom.dcmread(os.path.join(folder, name), stop_before_pixels=True, force=True)
                        _ = [d.get(k) for k in ('StudyInstanceUID', 'SeriesInstanceUID', 'Rows', 'ImageOrientationPatient')]
                    except Exception as e2:
                        out[name] = {'error': error, 'unreadable': type(e2).__name__ + ': ' + str(e2)}
                        continue
                try:
                    g = lambda k: (str(d.get(k)).strip() if d.get(k) not in (None, '') else None)
                    out[name] = {
                        'transferSyntax': str(d.file_meta.TransferSyntaxUID) if 'TransferSyntaxUID' in getattr(d, 'file_meta', {}) else None,
                        'study': g('StudyInstanceUID'), 'series': g('SeriesInstanceUID'), 'sop': g('SOPInstanceUID'),
                        'modality': g('Modality'), 'bodyPart': g('BodyPartExamined'), 'seriesDescription': g('SeriesDescription'),
                        'studyDescription': g('StudyDescription'), 'manufacturer': g('Manufacturer'),
                        'rows': d.get('Rows'), 'columns': d.get('Columns'),
                        'frames': int(d.NumberOfFrames) if d.get('NumberOfFrames') not in (None, '') else None,
                        'sliceThickness': float(d.SliceThickness) if d.get('SliceThickness') not in (None, '') else None,
                        'orientation': [float(x) for x in d.ImageOrientationPatient] if d.get('ImageOrientationPatient') else [],
                        'position': [float(x) for x in d.ImagePositionPatient] if d.get('ImagePositionPatient') else [],
                        'hasPatientId': bool(d.get('PatientID')),
                        'patientId': g('PatientID'), 'patientName': g('PatientName'),
                        'error': error,
                    }
                except Exception as e3:  # a value pydicom cannot convert (e.g. NumberOfFrames '1A')
                    out[name] = {'error': error, 'unreadable': type(e3).__name__ + ': ' + str(e3)}
            print(json.dumps(out))
            """;

    private Pydicom() {}

    /** The headers of the named files in a folder, by name, each an object with the fields of {@link #SCRIPT}. */
    static Map<String, JsonNode> headers(Path folder, Collection<String> names) throws Exception {
        return headers(folder, names, false);
    }

    /**
     * As {@link #headers(Path, Collection)}; with {@code strict} pydicom first reads each file as a conforming
     * Part 10 file (no {@code force}) and records its error when it cannot ({@code error}), then reads it forced;
     * a file even a forced read fails on has only {@code error} and {@code unreadable}.
     */
    static Map<String, JsonNode> headers(Path folder, Collection<String> names, boolean strict) throws Exception {
        List<String> command = new ArrayList<>(
                List.of("/usr/bin/python3", "-c", SCRIPT, folder.toString())); // Debian's python, with its pydicom
        command.addAll(names);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        builder.environment().put("WARDEN_PYDICOM_STRICT", strict ? "1" : "0");
        Process python = builder.start();
        String json = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor()).as(errors).isZero();
        Map<String, JsonNode> headers = new HashMap<>();
        JsonMapper.builder()
                .build()
                .readTree(json)
                .properties()
                .forEach(entry -> headers.put(entry.getKey(), entry.getValue()));
        return headers;
    }

    static @Nullable String text(JsonNode header, String field) {
        return header.get(field).isNull() ? null : header.get(field).asString();
    }

    static @Nullable Integer integer(JsonNode header, String field) {
        return header.get(field).isNull() ? null : header.get(field).asInt();
    }

    static List<Double> doubles(JsonNode header, String field) {
        List<Double> values = new ArrayList<>();
        header.get(field).forEach(value -> values.add(value.asDouble() + 0.0)); // the reader reads -0 as 0
        return values;
    }
}
