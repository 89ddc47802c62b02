package io.warden.clinical.ingest;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Precomputed vectors as a NumPy {@code .npy} 2-D array (little-endian float32 or float64, C order) with a labels
 * file: line {@code n} of the labels (NDJSON, {@code {"id": "...", "metadata": {...}}}) describes row {@code n}.
 * Rows are read one at a time, so a large array is never held whole. A header that is not a 2-D float array of the
 * collection's dimension, or a labels file with fewer lines than rows, fails the read; a bad row or label line is
 * rejected with its row number.
 */
public final class NpyVectorSource implements IngestSource {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,?\\s*\\)");

    private final Path array;
    private final Path labels;
    private final int dimension;

    public NpyVectorSource(Path array, Path labels, int dimension) {
        this.array = array;
        this.labels = labels;
        this.dimension = dimension;
    }

    @Override
    public String kind() {
        return "vectors-npy";
    }

    @Override
    public long size() {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(array)))) {
            return header(in).rows();
        } catch (IOException e) {
            return -1;
        }
    }

    private record Header(long rows, int columns, int width) {}

    @Override
    public void read(long from, Predicate<IngestItem> sink) throws IOException {
        try (InputStream raw = Files.newInputStream(array);
                DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16));
                BufferedReader labelLines = Files.newBufferedReader(labels, StandardCharsets.UTF_8)) {
            Header header = header(in);
            if (header.columns() != dimension) {
                throw new IOException("The array's rows have " + header.columns() + " values; the collection has "
                        + dimension + " dimensions");
            }
            byte[] row = new byte[dimension * header.width()];
            long skip = Math.min(from, header.rows()) * row.length;
            while (skip > 0) {
                long skipped = in.skip(skip);
                if (skipped <= 0) {
                    throw new IOException("The .npy file is truncated");
                }
                skip -= skipped;
            }
            for (long r = 0; r < from; r++) {
                if (labelLines.readLine() == null) {
                    throw new IOException("The labels file has fewer lines than the array has rows");
                }
            }
            for (long position = from; position < header.rows(); position++) {
                try {
                    in.readFully(row);
                } catch (EOFException e) {
                    throw new IOException("The .npy file is truncated at row " + position, e);
                }
                String label = labelLines.readLine();
                if (label == null) {
                    throw new IOException(
                            "The labels file has fewer lines than the array has rows (" + header.rows() + ")");
                }
                if (!sink.test(item(position, row, header.width(), label))) {
                    return;
                }
            }
        }
    }

    private IngestItem item(long position, byte[] row, int width, String label) {
        ByteBuffer buffer = ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            double value = width == 4 ? buffer.getFloat() : buffer.getDouble();
            if (!Double.isFinite(value)) {
                return rejected(position, "invalid-vector", "row " + position + ": value " + d + " is not finite");
            }
            values[d] = (float) value;
        }
        JsonNode node = NdjsonLines.object(label);
        if (node == null) {
            return rejected(position, "invalid-json", "label line " + (position + 1) + " is not a JSON object");
        }
        String id = NdjsonLines.id(node);
        if (id == null) {
            return rejected(
                    position,
                    "missing-id",
                    "label line " + (position + 1) + " needs an \"id\" of 1 to " + NdjsonLines.MAX_ID + " characters");
        }
        Map<String, String> metadata = NdjsonLines.metadata(node);
        if (metadata == null) {
            return rejected(position, "invalid-metadata", "item " + id + ": \"metadata\" is an object of plain values");
        }
        return VectorNdjsonSource.normalised(position, id, values, metadata);
    }

    private static Header header(DataInputStream in) throws IOException {
        byte[] magic = new byte[6];
        try {
            in.readFully(magic);
            int major = in.readUnsignedByte();
            in.readUnsignedByte();
            if (!Arrays.equals(magic, MAGIC) || major < 1 || major > 3) {
                throw new IOException("Not a .npy file (format versions 1 to 3)");
            }
            byte[] lengthBytes = new byte[major == 1 ? 2 : 4];
            in.readFully(lengthBytes);
            ByteBuffer length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
            int headerLength = major == 1 ? Short.toUnsignedInt(length.getShort()) : length.getInt();
            if (headerLength <= 0 || headerLength > 65536) {
                throw new IOException("The .npy header length " + headerLength + " is implausible");
            }
            byte[] bytes = new byte[headerLength];
            in.readFully(bytes);
            String dict = new String(bytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Matcher descr = DESCR.matcher(dict);
            Matcher fortran = FORTRAN.matcher(dict);
            Matcher shape = SHAPE.matcher(dict);
            if (!descr.find() || !fortran.find() || !shape.find()) {
                throw new IOException("The .npy header must name descr, fortran_order and a 2-D shape");
            }
            if (fortran.group(1).equals("True")) {
                throw new IOException("Fortran-ordered arrays are not supported; save the array in C order");
            }
            int width = switch (descr.group(1)) {
                case "<f4" -> 4;
                case "<f8" -> 8;
                default ->
                    throw new IOException("dtype " + descr.group(1) + " is not little-endian float32 or float64");
            };
            long rows = Long.parseLong(shape.group(1));
            int columns = Integer.parseInt(shape.group(2));
            if (rows > 50_000_000 || columns < 1 || columns > 8192) {
                throw new IOException("Shape (" + rows + ", " + columns + ") is out of range");
            }
            return new Header(rows, columns, width);
        } catch (EOFException e) {
            throw new IOException("The .npy file is truncated", e);
        } catch (NumberFormatException e) {
            throw new IOException("The .npy shape is out of range", e);
        }
    }

    private static IngestItem.Rejected rejected(long position, String code, String reason) {
        return new IngestItem.Rejected(position, "row " + position, code, reason);
    }
}
