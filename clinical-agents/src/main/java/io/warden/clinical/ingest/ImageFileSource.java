package io.warden.clinical.ingest;

import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.VectorRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * PNG and JPEG images as records, embedded with an {@link ImageEmbedder} in batches: the files under a folder (a
 * file in a sub-folder takes the sub-folder's name as its {@code label}, as image classification data sets are laid
 * out) or images uploaded with their metadata. Items are in name order (the path relative to the folder, with
 * {@code /}), so a position names the same image on every read; a record's id is that name.
 *
 * <p>Refused, each as its own {@link IngestItem.Rejected}: a file over {@link ImageLimits#maxBytes()}
 * ({@code image-too-large}, not read), one that is not a PNG or JPEG by its signature ({@code not-an-image}), one the
 * model cannot decode or finds too large in pixels ({@code image-undecodable}, {@code image-too-large}), a link or
 * anything but a regular file inside the folder ({@code outside-source}) and a file that cannot be read
 * ({@code unreadable}). Not thread-safe: one build reads a source at a time.
 */
public final class ImageFileSource implements IngestSource {

    /** An image sent with a request: its name (unique in the upload), its bytes and its metadata (its label). */
    public record Upload(String name, byte[] bytes, Map<String, String> metadata) {

        public Upload {
            if (name.isBlank()) {
                throw new IllegalArgumentException("an uploaded image needs a name");
            }
            metadata = Map.copyOf(metadata);
        }
    }

    private interface Content {
        byte[] read(long maxBytes) throws Refused;
    }

    private record Entry(String name, Map<String, String> metadata, Content content) {}

    private final List<Entry> entries;
    private final ImageEmbedder embedder;
    private final ImageLimits limits;
    private final String kind;

    private ImageFileSource(List<Entry> entries, ImageEmbedder embedder, ImageLimits limits, String kind) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(Entry::name));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
                throw new IllegalArgumentException(
                        "two images are named " + sorted.get(i).name());
            }
        }
        this.entries = List.copyOf(sorted);
        this.embedder = embedder;
        this.limits = limits;
        this.kind = kind;
    }

    /** Images uploaded with a request, in name order. */
    public static ImageFileSource uploads(List<Upload> uploads, ImageEmbedder embedder, ImageLimits limits) {
        List<Entry> entries = new ArrayList<>();
        for (Upload upload : uploads) {
            byte[] bytes = upload.bytes();
            entries.add(new Entry(upload.name(), upload.metadata(), max -> {
                if (bytes.length > max) {
                    throw tooLarge(upload.name(), bytes.length, max);
                }
                return bytes;
            }));
        }
        return new ImageFileSource(entries, embedder, limits, "images-upload");
    }

    /**
     * The regular files under a folder, listed now (so the positions are fixed for the source's life), read when
     * their batch is embedded.
     *
     * @param metadata metadata by name (relative path with {@code /}), added to and overriding the folder's label
     * @throws UncheckedIOException when the folder cannot be listed
     */
    public static ImageFileSource folder(
            Path folder, Map<String, Map<String, String>> metadata, ImageEmbedder embedder, ImageLimits limits) {
        Path root;
        List<Path> files;
        try {
            root = folder.toRealPath();
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(path -> !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS))
                        .toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + folder, e);
        }
        List<Entry> entries = new ArrayList<>();
        for (Path file : files) {
            Path relative = root.relativize(file);
            String name = relative.toString().replace(file.getFileSystem().getSeparator(), "/");
            Map<String, String> fields = new LinkedHashMap<>();
            if (relative.getNameCount() > 1) {
                fields.put("label", relative.getName(0).toString());
            }
            fields.put("file", name);
            fields.putAll(metadata.getOrDefault(name, Map.of()));
            entries.add(new Entry(name, fields, max -> read(root, file, name, max)));
        }
        return new ImageFileSource(entries, embedder, limits, "images-folder");
    }

    /** A regular file that is really inside the folder, no larger than the cap; links are not followed. */
    private static byte[] read(Path root, Path file, String name, long max) throws Refused {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                    || !file.toRealPath().startsWith(root)) {
                throw new Refused("outside-source", name + " is a link or not a regular file");
            }
            long size = Files.size(file);
            if (size > max) {
                throw tooLarge(name, size, max);
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                byte[] bytes = in.readNBytes((int) max + 1); // the file may have grown since its size was read
                if (bytes.length > max) {
                    throw tooLarge(name, bytes.length, max);
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new Refused("unreadable", name + " cannot be read: " + e.getMessage());
        }
    }

    private static Refused tooLarge(String name, long size, long max) {
        return new Refused("image-too-large", name + " has " + size + " bytes; at most " + max + " are read");
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public long size() {
        return entries.size();
    }

    @Override
    public void read(long from, Predicate<IngestItem> sink) {
        for (long start = Math.max(0, from); start < entries.size(); start += limits.batchSize()) {
            int end = (int) Math.min(entries.size(), start + limits.batchSize());
            if (!emit((int) start, end, sink)) {
                return;
            }
        }
    }

    private boolean emit(int start, int end, Predicate<IngestItem> sink) {
        @Nullable Refused[] refused = new Refused[end - start];
        List<byte[]> images = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int p = start; p < end; p++) {
            Entry entry = entries.get(p);
            try {
                byte[] bytes = entry.content().read(limits.maxBytes());
                if (!pngOrJpeg(bytes)) {
                    throw new Refused("not-an-image", entry.name() + " is not a PNG or JPEG image");
                }
                images.add(bytes);
                at.add(p);
            } catch (Refused e) {
                refused[p - start] = e;
            }
        }
        List<Embedding.Outcome> outcomes = Embedding.embed(embedder, images);
        Embedding.@Nullable Outcome[] byPosition = new Embedding.Outcome[end - start];
        for (int k = 0; k < at.size(); k++) {
            byPosition[at.get(k) - start] = outcomes.get(k);
        }
        for (int p = start; p < end; p++) {
            Entry entry = entries.get(p);
            Embedding.Outcome outcome = byPosition[p - start];
            Refused why = refused[p - start] != null ? refused[p - start] : outcome == null ? null : outcome.refused();
            float[] vector = outcome == null ? null : outcome.vector();
            IngestItem item = why != null || vector == null
                    ? new IngestItem.Rejected(
                            p,
                            entry.name(),
                            why == null ? "image-undecodable" : why.code(),
                            why == null ? entry.name() + " was not embedded" : why.reason())
                    : new IngestItem.Accepted(p, new VectorRecord(entry.name(), vector, entry.metadata()));
            if (!sink.test(item)) {
                return false;
            }
        }
        return true;
    }

    /** By signature: PNG's eight bytes, JPEG's start-of-image marker. */
    static boolean pngOrJpeg(byte[] bytes) {
        boolean png = bytes.length > 8
                && (bytes[0] & 0xFF) == 0x89
                && bytes[1] == 'P'
                && bytes[2] == 'N'
                && bytes[3] == 'G'
                && bytes[4] == 0x0D
                && bytes[5] == 0x0A
                && bytes[6] == 0x1A
                && bytes[7] == 0x0A;
        boolean jpeg =
                bytes.length > 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF;
        return png || jpeg;
    }
}
