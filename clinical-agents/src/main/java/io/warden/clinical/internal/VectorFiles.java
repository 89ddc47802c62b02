package io.warden.clinical.internal;

import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.VectorRecord;
import io.warden.clinical.Vectors;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads vectors for ingest: NumPy's {@code .npy} (a 2-D little-endian float32 or float64 array in C order,
 * format versions 1 to 3), and JSON records {@code [{"id":..,"vector":[..],"metadata":{..}}]}. Anything
 * else is refused with {@code invalid-vectors} and the reason.
 */
final class VectorFiles {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,?\\s*\\)");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private VectorFiles() {}

    /** The rows of a 2-D {@code .npy} array. */
    public static List<float[]> readNpy(InputStream input) throws IOException {
        DataInputStream in = new DataInputStream(input);
        byte[] magic = new byte[6];
        try {
            in.readFully(magic);
            int major = in.readUnsignedByte();
            in.readUnsignedByte();
            if (!Arrays.equals(magic, MAGIC) || major < 1 || major > 3) {
                throw invalid("not a .npy file (format versions 1 to 3)");
            }
            byte[] lengthBytes = new byte[major == 1 ? 2 : 4];
            in.readFully(lengthBytes);
            ByteBuffer length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
            int headerLength = major == 1 ? Short.toUnsignedInt(length.getShort()) : length.getInt();
            if (headerLength <= 0 || headerLength > 65536) {
                throw invalid("the .npy header length " + headerLength + " is implausible");
            }
            byte[] header = new byte[headerLength];
            in.readFully(header);
            String dict = new String(header, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String descr = group(DESCR.matcher(dict), "descr");
            if (group(FORTRAN.matcher(dict), "fortran_order").equals("True")) {
                throw invalid("Fortran-ordered arrays are not supported; save it in C order");
            }
            Matcher shape = SHAPE.matcher(dict);
            if (!shape.find()) {
                throw invalid("the array must be 2-D (rows, dimension)");
            }
            long rows = Long.parseLong(shape.group(1));
            int dimension = Integer.parseInt(shape.group(2));
            int width = switch (descr) {
                case "<f4" -> 4;
                case "<f8" -> 8;
                default -> throw invalid("dtype " + descr + " is not little-endian float32 or float64");
            };
            if (rows > 50_000_000 || dimension < 1 || dimension > 8192) {
                throw invalid("shape (" + rows + ", " + dimension + ") is out of range");
            }
            List<float[]> vectors = new ArrayList<>((int) rows);
            byte[] row = new byte[dimension * width];
            for (long r = 0; r < rows; r++) {
                in.readFully(row);
                ByteBuffer buffer = ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN);
                float[] vector = new float[dimension];
                for (int d = 0; d < dimension; d++) {
                    vector[d] = width == 4 ? buffer.getFloat() : (float) buffer.getDouble();
                }
                Vectors.requireFinite(vector, "row " + r);
                vectors.add(vector);
            }
            return vectors;
        } catch (EOFException e) {
            throw invalid("the .npy file is truncated");
        }
    }

    /** Records from JSON: an array of {@code {"id", "vector", "metadata"}} objects. */
    public static List<VectorRecord> readJson(InputStream input) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(input);
        } catch (RuntimeException e) {
            throw invalid("the records are not valid JSON");
        }
        if (root == null || !root.isArray()) {
            throw invalid("expected a JSON array of records");
        }
        List<VectorRecord> records = new ArrayList<>(root.size());
        int index = 0;
        for (JsonNode node : root) {
            JsonNode vector = node.get("vector");
            if (node.get("id") == null || !node.get("id").isString() || vector == null || !vector.isArray()) {
                throw invalid("record " + index + " needs a string 'id' and a numeric array 'vector'");
            }
            float[] values = new float[vector.size()];
            for (int d = 0; d < values.length; d++) {
                if (!vector.get(d).isNumber()) {
                    throw invalid("record " + index + ": vector[" + d + "] is not a number");
                }
                values[d] = (float) vector.get(d).asDouble();
            }
            Map<String, String> metadata = new HashMap<>();
            if (node.has("metadata")) {
                node.get("metadata")
                        .properties()
                        .forEach(entry ->
                                metadata.put(entry.getKey(), entry.getValue().asString()));
            }
            records.add(new VectorRecord(node.get("id").asString(), values, metadata));
            index++;
        }
        return records;
    }

    private static String group(Matcher matcher, String what) {
        if (!matcher.find()) {
            throw invalid("the .npy header has no " + what);
        }
        return matcher.group(1);
    }

    private static RetrievalRejected invalid(String reason) {
        return new RetrievalRejected("invalid-vectors", reason);
    }
}
