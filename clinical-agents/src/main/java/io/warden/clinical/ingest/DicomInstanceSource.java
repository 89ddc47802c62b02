package io.warden.clinical.ingest;

import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.VectorRecord;
import io.warden.clinical.dicom.DicomHeader;
import io.warden.clinical.dicom.DicomReader;
import io.warden.clinical.dicom.DicomWebSource;
import io.warden.clinical.ingest.DicomInput.Listed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * DICOM instances as image records: from a registered folder (pixel data decoded here, see
 * {@link io.warden.clinical.dicom.DicomImage} for what decodes) or from a DICOMweb server (frames rendered by the
 * server as PNG or JPEG), one record per instance (its first frame) or per frame. Items are in location order (the
 * file path, or the instance's URL), then frame order, so a position names the same frame on every read.
 *
 * <p>An instance that cannot become a record is a {@link IngestItem.Rejected} naming its location: the codes are
 * those of {@link io.warden.clinical.dicom.DicomImage} ({@code compressed-transfer-syntax} naming the syntax,
 * {@code pixel-data-truncated}, {@code image-too-large}, {@code unsupported-pixel-format}, {@code no-pixel-data}),
 * {@code dicom-unreadable}, {@code outside-source} (a link out of the folder), {@code not-rendered} (the server did
 * not render it) and the image model's own ({@code image-undecodable}).
 *
 * <p>A record's id is the SOP Instance UID (with {@code /frame-<n>} per frame of a multi-frame instance), its
 * metadata the instance's modality, body part, series description, UIDs and patient hash, plus what
 * {@code labels} gives for the header. Not thread-safe: one build reads a source at a time.
 */
public final class DicomInstanceSource implements IngestSource {

    /** Which frames of an instance become records. */
    public enum Frames {
        FIRST,
        EACH
    }

    private final DicomInput input;
    private final ImageEmbedder embedder;
    private final Frames frames;
    private final Function<DicomHeader, Map<String, String>> labels;
    private @Nullable List<Unit> units;

    private record Unit(Listed instance, int frame) {}

    private DicomInstanceSource(
            DicomInput input,
            ImageEmbedder embedder,
            Frames frames,
            Function<DicomHeader, Map<String, String>> labels) {
        this.input = input;
        this.embedder = embedder;
        this.frames = frames;
        this.labels = labels;
    }

    /**
     * The files under a data source's folder.
     *
     * @param labels metadata to add per instance (a label looked up by SOP or series UID); {@code h -> Map.of()} for none
     */
    public static DicomInstanceSource folder(
            Path folder,
            DicomReader reader,
            ImageEmbedder embedder,
            Frames frames,
            ImageLimits limits,
            Function<DicomHeader, Map<String, String>> labels) {
        return new DicomInstanceSource(new DicomInput.Folder(folder, reader, 2, limits), embedder, frames, labels);
    }

    /** Every instance a DICOMweb server holds, rendered by it. */
    public static DicomInstanceSource dicomWeb(
            DicomWebSource source,
            ImageEmbedder embedder,
            Frames frames,
            ImageLimits limits,
            Function<DicomHeader, Map<String, String>> labels) {
        return new DicomInstanceSource(new DicomInput.Web(source, null, null, limits), embedder, frames, labels);
    }

    @Override
    public String kind() {
        return "dicom-instances-" + input.origin();
    }

    /** Lists the instances (a folder scan or a DICOMweb walk) the first time it is asked. */
    @Override
    public long size() {
        return units().size();
    }

    private List<Unit> units() {
        if (units == null) {
            List<Unit> all = new ArrayList<>();
            for (Listed instance : input.list()) {
                int count = frames == Frames.EACH && instance.refused() == null ? instance.frames() : 1;
                for (int f = 0; f < count; f++) {
                    all.add(new Unit(instance, f));
                }
            }
            units = List.copyOf(all);
        }
        return units;
    }

    @Override
    public void read(long from, Predicate<IngestItem> sink) {
        List<Unit> all = units();
        int batch = input.limits.batchSize();
        for (long start = Math.max(0, from); start < all.size(); start += batch) {
            int end = (int) Math.min(all.size(), start + batch);
            if (!emit(all, (int) start, end, sink)) {
                return;
            }
        }
    }

    /** Renders, embeds and sends units {@code start} to {@code end - 1}; false when the sink stops. */
    private boolean emit(List<Unit> all, int start, int end, Predicate<IngestItem> sink) {
        Map<Integer, Refused> refused = new LinkedHashMap<>();
        Map<Integer, byte[]> images = new LinkedHashMap<>();
        int i = start;
        while (i < end) {
            Unit unit = all.get(i);
            int run = 1; // the following frames of the same instance, rendered together
            while (i + run < end
                    && all.get(i + run).instance() == unit.instance()
                    && all.get(i + run).frame() == unit.frame() + run) {
                run++;
            }
            if (unit.instance().refused() != null) {
                refused.put(i, unit.instance().refused());
            } else {
                try {
                    List<byte[]> rendered = input.frames(unit.instance(), unit.frame(), run);
                    for (int r = 0; r < run; r++) {
                        images.put(i + r, rendered.get(r));
                    }
                } catch (Refused e) {
                    for (int r = 0; r < run; r++) {
                        refused.put(i + r, e);
                    }
                }
            }
            i += run;
        }
        List<Embedding.Outcome> outcomes = Embedding.embed(embedder, new ArrayList<>(images.values()));
        List<Integer> embedded = new ArrayList<>(images.keySet());
        Map<Integer, Embedding.Outcome> byPosition = new LinkedHashMap<>();
        for (int k = 0; k < embedded.size(); k++) {
            byPosition.put(embedded.get(k), outcomes.get(k));
        }
        for (int p = start; p < end; p++) {
            Unit unit = all.get(p);
            Refused refusal = refused.get(p);
            Embedding.Outcome outcome = byPosition.get(p);
            if (refusal == null && outcome != null) {
                refusal = outcome.refused();
            }
            IngestItem item;
            if (refusal != null || outcome == null || outcome.vector() == null) {
                Refused why = refusal != null ? refusal : new Refused("image-undecodable", "no image");
                item = new IngestItem.Rejected(p, reference(unit), why.code(), why.reason());
            } else {
                DicomHeader header = Objects.requireNonNull(unit.instance().header());
                Map<String, String> metadata = new LinkedHashMap<>(DicomMetadata.of(header, labels));
                if (frames == Frames.EACH) {
                    metadata.put("frame", Integer.toString(unit.frame() + 1));
                }
                item = new IngestItem.Accepted(p, new VectorRecord(id(unit, header), outcome.vector(), metadata));
            }
            if (!sink.test(item)) {
                return false;
            }
        }
        return true;
    }

    private String reference(Unit unit) {
        return frames == Frames.EACH && unit.instance().frames() > 1
                ? unit.instance().location() + " frame " + (unit.frame() + 1)
                : unit.instance().location();
    }

    private String id(Unit unit, DicomHeader header) {
        String base = header.sopInstanceUid() != null
                ? header.sopInstanceUid()
                : unit.instance().location();
        return frames == Frames.EACH && unit.instance().frames() > 1 ? base + "/frame-" + (unit.frame() + 1) : base;
    }
}
