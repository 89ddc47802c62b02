package io.warden.clinical.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
            for name in sys.argv[2:]:
                d = pydicom.dcmread(os.path.join(folder, name), stop_before_pixels=True, force=True)
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
                }
            print(json.dumps(out))
            """;

    private Pydicom() {
    }

    /** The headers of the named files in a folder, by name, each an object with the fields of {@link #SCRIPT}. */
    static Map<String, JsonNode> headers(Path folder, Collection<String> names) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-c", SCRIPT, folder.toString())); // Debian's python, with its pydicom
        command.addAll(names);
        Process python = new ProcessBuilder(command).redirectErrorStream(false).start();
        String json = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.waitFor()).as(errors).isZero();
        Map<String, JsonNode> headers = new HashMap<>();
        JsonMapper.builder().build().readTree(json).properties().forEach(entry -> headers.put(entry.getKey(), entry.getValue()));
        return headers;
    }

    static String text(JsonNode header, String field) {
        return header.get(field).isNull() ? null : header.get(field).asString();
    }

    static Integer integer(JsonNode header, String field) {
        return header.get(field).isNull() ? null : header.get(field).asInt();
    }

    static List<Double> doubles(JsonNode header, String field) {
        List<Double> values = new ArrayList<>();
        header.get(field).forEach(value -> values.add(value.asDouble() + 0.0)); // the reader reads -0 as 0
        return values;
    }
}
