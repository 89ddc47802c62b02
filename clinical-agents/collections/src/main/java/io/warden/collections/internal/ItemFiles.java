package io.warden.collections.internal;

import io.warden.clinical.VectorRecord;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A version's committed items on shared storage: one file per committed batch, {@code batch-<first>-<last>.items}
 * (positions of the build's input), written to a temporary name and renamed, so a file either holds a whole batch or
 * does not exist. A batch whose positions lie after the last committed position in PostgreSQL was written by a build
 * that stopped before committing it; {@link #dropAfter} removes such batches before the build resumes.
 *
 * <p>Format 1, never edited: the bytes {@code WCI1}, then per record its id, the number of metadata entries, each key
 * and value (modified UTF-8), the dimension and the float values. Versions are immutable once written.
 */
final class ItemFiles {

    private static final int MAGIC = 0x57434931; // "WCI1"
    /** Far above any embedding model's; a larger count can only be a damaged file. */
    private static final int MAX_DIMENSION = 65_536;

    private ItemFiles() {}

    static void writeBatch(Path folder, long first, long last, List<VectorRecord> records) throws IOException {
        Files.createDirectories(folder);
        Path target = folder.resolve("batch-" + first + "-" + last + ".items");
        Path temporary = folder.resolve("batch-" + first + "-" + last + ".part");
        try (OutputStream file = Files.newOutputStream(temporary);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(file, 1 << 16))) {
            out.writeInt(MAGIC);
            ByteBuffer floats = ByteBuffer.allocate(0);
            for (VectorRecord record : records) {
                out.writeUTF(record.id());
                out.writeInt(record.metadata().size());
                for (var entry : record.metadata().entrySet()) {
                    out.writeUTF(entry.getKey());
                    out.writeUTF(entry.getValue());
                }
                float[] vector = record.vector();
                out.writeInt(vector.length);
                // big-endian, as DataOutputStream.writeFloat writes them, in one copy instead of one call per value
                if (floats.capacity() < vector.length * Float.BYTES) {
                    floats = ByteBuffer.allocate(vector.length * Float.BYTES);
                }
                floats.clear();
                floats.asFloatBuffer().put(vector);
                out.write(floats.array(), 0, vector.length * Float.BYTES);
            }
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Deletes the batches that start after {@code committed} and any half-written file. */
    static void dropAfter(Path folder, long committed) throws IOException {
        for (Path batch : batches(folder, true)) {
            String name = batch.getFileName().toString();
            if (name.endsWith(".part") || first(name) > committed) {
                Files.deleteIfExists(batch);
            }
        }
    }

    /** Every record of the version, in position order. */
    static void read(Path folder, Consumer<VectorRecord> sink) throws IOException {
        for (Path batch : batches(folder, false)) {
            try (DataInputStream in =
                    new DataInputStream(new BufferedInputStream(Files.newInputStream(batch), 1 << 16))) {
                if (in.readInt() != MAGIC) {
                    throw new IOException(batch + " is not an items file of format 1");
                }
                byte[] floats = new byte[0];
                while (true) {
                    String id;
                    try {
                        id = in.readUTF();
                    } catch (EOFException end) {
                        break;
                    }
                    int entries = in.readInt();
                    Map<String, String> metadata = new HashMap<>();
                    for (int i = 0; i < entries; i++) {
                        metadata.put(in.readUTF(), in.readUTF());
                    }
                    int dimension = in.readInt();
                    if (dimension < 0 || dimension > MAX_DIMENSION) {
                        throw new IOException(batch + " is damaged: a record of " + dimension + " dimensions");
                    }
                    float[] vector = new float[dimension];
                    if (floats.length < dimension * Float.BYTES) {
                        floats = new byte[dimension * Float.BYTES];
                    }
                    in.readFully(floats, 0, dimension * Float.BYTES);
                    ByteBuffer.wrap(floats, 0, dimension * Float.BYTES)
                            .asFloatBuffer()
                            .get(vector);
                    sink.accept(new VectorRecord(id, vector, metadata));
                }
            }
        }
    }

    static List<VectorRecord> readAll(Path folder) throws IOException {
        List<VectorRecord> records = new ArrayList<>();
        read(folder, records::add);
        return records;
    }

    private static List<Path> batches(Path folder, boolean partsToo) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> {
                        String name = file.getFileName().toString();
                        return name.startsWith("batch-")
                                && (name.endsWith(".items") || partsToo && name.endsWith(".part"));
                    })
                    .sorted(Comparator.comparingLong(
                            file -> first(file.getFileName().toString())))
                    .toList();
        }
    }

    private static long first(String name) {
        String[] parts = name.substring("batch-".length()).split("[-.]");
        return Long.parseLong(parts[0]);
    }
}
