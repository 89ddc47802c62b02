package io.warden.collections.internal;

import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.ingest.ImageFileSource;
import io.warden.clinical.ingest.IngestItem;
import io.warden.clinical.ingest.IngestSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.jspecify.annotations.Nullable;

/**
 * PNG and JPEG images uploaded as one ZIP, with their labels: an image in a folder takes the folder's name as its
 * label (the collection's label field), as image classification data sets are laid out, and an optional
 * {@code labels.ndjson} at the top ({@code {"file": "ulcer/w1.png", "metadata": {...}}}) adds to or overrides it.
 * Items are the ZIP's file entries in name order (a position names the same entry on every read, since an upload
 * never changes); a record's id is the entry's name. Images are read and embedded one batch at a time, never the
 * whole archive at once, and nothing is ever written out under an entry's name.
 *
 * <p>Hostile archives: more than {@code max-zip-entries} entries, or declared sizes that add up to more than
 * {@code max-zip-ratio} times the upload, make the ZIP unusable (the build is refused, or stops); an entry whose name
 * could climb out of a folder ({@code ..}, a leading {@code /}, a backslash, a drive letter) is refused as
 * {@code unsafe-name}, one over {@code max-image-bytes} as {@code image-too-large} without being inflated, one that
 * inflates to more than it declares as {@code zip-size-mismatch}, one over 64 KiB whose ratio is above
 * {@code max-zip-ratio} as {@code zip-ratio}, a second entry of the same name as {@code duplicate-name}, a corrupt
 * entry as {@code unreadable}, and then what {@link ImageFileSource} refuses ({@code not-an-image},
 * {@code image-undecodable}, ...). Not thread-safe: one build reads a source at a time.
 */
final class ZipImageSource implements IngestSource {

    static final String LABELS = "labels.ndjson";
    private static final long RATIO_FLOOR = 64 * 1024;

    private record Entry(
            String name, @Nullable String code, @Nullable String reason, Map<String, String> metadata) {}

    private final Path file;
    private final List<Entry> entries;
    private final ImageEmbedder embedder;
    private final CollectionsProperties.Images limits;

    private ZipImageSource(
            Path file, List<Entry> entries, ImageEmbedder embedder, CollectionsProperties.Images limits) {
        this.file = file;
        this.entries = entries;
        this.embedder = embedder;
        this.limits = limits;
    }

    /**
     * Lists the ZIP (its central directory) and reads its labels; what the build will read is fixed from here on.
     *
     * @throws LabelLines.Unusable when the upload is not a ZIP, is too large in entries or declared size, or its
     *                             labels cannot be read: the build is refused whole
     */
    static ZipImageSource open(
            Path file, String labelField, ImageEmbedder embedder, CollectionsProperties.Images limits)
            throws LabelLines.Unusable {
        try (ZipFile zip = new ZipFile(file.toFile(), StandardCharsets.UTF_8)) {
            if (zip.size() > limits.maxZipEntries()) {
                throw new LabelLines.Unusable("The ZIP holds " + zip.size() + " entries; at most "
                        + limits.maxZipEntries() + " are read (warden.collections.images.max-zip-entries)");
            }
            List<ZipEntry> files = new ArrayList<>();
            for (ZipEntry entry : Collections.list(zip.entries())) {
                if (!entry.isDirectory()) {
                    files.add(entry);
                }
            }
            long declared = 0;
            for (ZipEntry entry : files) {
                declared += Math.max(0, Math.min(entry.getSize(), limits.maxImageBytes() + 1));
            }
            long budget = Files.size(file) > Long.MAX_VALUE / limits.maxZipRatio()
                    ? Long.MAX_VALUE
                    : Files.size(file) * limits.maxZipRatio();
            if (declared > budget) {
                throw new LabelLines.Unusable("The ZIP's entries declare " + declared + " bytes, more than "
                        + limits.maxZipRatio() + " times its size (warden.collections.images.max-zip-ratio)");
            }
            Map<String, Map<String, String>> labels = Map.of();
            ZipEntry labelsEntry = zip.getEntry(LABELS);
            if (labelsEntry != null && !labelsEntry.isDirectory()) {
                labels = LabelLines.parse(bounded(zip, labelsEntry, limits.maxLabelsBytes(), LABELS), "file", LABELS);
            }
            files.sort(Comparator.comparing(ZipEntry::getName));
            Set<String> names = new HashSet<>();
            List<Entry> entries = new ArrayList<>();
            for (ZipEntry entry : files) {
                String name = entry.getName();
                if (name.equals(LABELS)) {
                    continue;
                }
                entries.add(listed(entry, names.add(name), labelField, labels.getOrDefault(name, Map.of()), limits));
            }
            for (String named : labels.keySet()) {
                if (!names.contains(named)) {
                    throw new LabelLines.Unusable(LABELS + " names " + named + ", which the ZIP does not hold");
                }
            }
            return new ZipImageSource(file, List.copyOf(entries), embedder, limits);
        } catch (ZipException e) {
            throw new LabelLines.Unusable("The upload is not a readable ZIP: " + e.getMessage());
        } catch (IOException e) {
            throw new LabelLines.Unusable("The ZIP cannot be read: " + e.getMessage());
        }
    }

    private static Entry listed(
            ZipEntry entry,
            boolean first,
            String labelField,
            Map<String, String> labels,
            CollectionsProperties.Images limits) {
        String name = entry.getName();
        Map<String, String> metadata = new LinkedHashMap<>();
        if (!safe(name)) {
            return new Entry(
                    name, "unsafe-name", "the entry's name could leave its folder or is not a plain path", metadata);
        }
        if (!first) {
            return new Entry(name, "duplicate-name", name + " appears twice in the ZIP", metadata);
        }
        if (entry.getSize() < 0) {
            return new Entry(name, "zip-size-mismatch", name + " does not declare its size", metadata);
        }
        if (entry.getSize() > limits.maxImageBytes()) {
            return new Entry(
                    name,
                    "image-too-large",
                    name + " has " + entry.getSize() + " bytes; at most " + limits.maxImageBytes() + " are read",
                    metadata);
        }
        if (overRatio(entry.getSize(), entry.getCompressedSize(), limits)) {
            return new Entry(name, "zip-ratio", ratio(name, entry.getSize(), entry.getCompressedSize()), metadata);
        }
        int slash = name.indexOf('/');
        if (slash > 0) {
            metadata.put(labelField, name.substring(0, slash));
        }
        metadata.put("file", name);
        metadata.putAll(labels);
        return new Entry(name, null, null, metadata);
    }

    /** A relative path of plain segments: nothing a folder-extracting reader could resolve outside its folder. */
    static boolean safe(String name) {
        if (name.isEmpty()
                || name.length() > 1024
                || name.startsWith("/")
                || name.indexOf('\\') >= 0
                || name.indexOf(':') >= 0
                || name.indexOf('\0') >= 0) {
            return false;
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static boolean overRatio(long size, long compressed, CollectionsProperties.Images limits) {
        return size > RATIO_FLOOR && (compressed <= 0 || size / compressed > limits.maxZipRatio());
    }

    private static String ratio(String name, long size, long compressed) {
        return name + " inflates from " + compressed + " to " + size + " bytes, above the ratio allowed";
    }

    /** At most {@code max} bytes of an entry; more is an error, found without inflating further. */
    private static byte[] bounded(ZipFile zip, ZipEntry entry, long max, String what)
            throws IOException, LabelLines.Unusable {
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) max + 1);
            if (bytes.length > max) {
                throw new LabelLines.Unusable(what + " is over " + max + " bytes");
            }
            return bytes;
        }
    }

    @Override
    public String kind() {
        return "images-zip";
    }

    @Override
    public long size() {
        return entries.size();
    }

    @Override
    public void read(long from, Predicate<IngestItem> sink) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile(), StandardCharsets.UTF_8)) {
            for (long start = Math.max(0, from); start < entries.size(); start += limits.batchSize()) {
                int end = (int) Math.min(entries.size(), start + limits.batchSize());
                for (IngestItem item : batch(zip, (int) start, end)) {
                    if (!sink.test(item)) {
                        return;
                    }
                }
            }
        }
    }

    /** Entries {@code start} to {@code end - 1}: read, embedded together, in position order. */
    private List<IngestItem> batch(ZipFile zip, int start, int end) {
        @Nullable IngestItem[] items = new IngestItem[end - start];
        List<ImageFileSource.Upload> images = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int p = start; p < end; p++) {
            Entry entry = entries.get(p);
            if (entry.code() != null) {
                items[p - start] =
                        new IngestItem.Rejected(p, entry.name(), entry.code(), String.valueOf(entry.reason()));
                continue;
            }
            try {
                byte[] bytes = read(zip, entry.name());
                images.add(new ImageFileSource.Upload(entry.name(), bytes, entry.metadata()));
                at.add(p);
            } catch (Refusal refusal) {
                items[p - start] = new IngestItem.Rejected(p, entry.name(), refusal.code, refusal.reason);
            }
        }
        // the image source orders its uploads by name, as the entries are: its k-th item is the k-th image here
        int[] k = {0};
        ImageFileSource.uploads(images, embedder, limits.limits()).read(0, item -> {
            int p = at.get(k[0]++);
            items[p - start] = switch (item) {
                case IngestItem.Accepted accepted -> new IngestItem.Accepted(p, accepted.record());
                case IngestItem.Rejected refused ->
                    new IngestItem.Rejected(p, refused.reference(), refused.code(), refused.reason());
            };
            return true;
        });
        List<IngestItem> ordered = new ArrayList<>(end - start);
        for (int i = 0; i < items.length; i++) {
            IngestItem item = items[i];
            ordered.add(
                    item != null
                            ? item
                            : new IngestItem.Rejected(
                                    start + i, entries.get(start + i).name(), "image-undecodable", "not embedded"));
        }
        return ordered;
    }

    /** One entry that cannot be used. */
    private static final class Refusal extends Exception {
        final String code;
        final String reason;

        Refusal(String code, String reason) {
            super(reason, null, false, false);
            this.code = code;
            this.reason = reason;
        }
    }

    /**
     * The entry's bytes, inflating no more than it declared (bounded by {@code max-image-bytes} when listed): a
     * stream that goes on past its declared size is refused rather than read on.
     */
    private byte[] read(ZipFile zip, String name) throws Refusal {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new Refusal("unreadable", name + " is no longer in the ZIP");
        }
        long declared = entry.getSize();
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) Math.min(declared + 1, limits.maxImageBytes() + 1));
            if (bytes.length > declared || bytes.length > limits.maxImageBytes()) {
                throw new Refusal(
                        "zip-size-mismatch", name + " inflates to more than the " + declared + " bytes it declares");
            }
            if (overRatio(bytes.length, entry.getCompressedSize(), limits)) {
                throw new Refusal("zip-ratio", ratio(name, bytes.length, entry.getCompressedSize()));
            }
            return bytes;
        } catch (IOException e) {
            throw new Refusal("unreadable", name + " cannot be inflated: " + e.getMessage());
        }
    }
}
