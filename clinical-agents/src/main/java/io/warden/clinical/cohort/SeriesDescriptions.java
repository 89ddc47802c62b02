package io.warden.clinical.cohort;

import io.warden.clinical.dicom.Series;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Writes five distinct descriptions of a series from its metadata, worded differently so that a query
 * phrased like any of them ("axial CT of the chest", "lung CT with 2 mm slices", "chest imaging from a Siemens
 * scanner") lands near it. Only what the header says goes in: modality, region, plane, slice count and
 * thickness, the series and study descriptions, the manufacturer. An optional {@link DescriptionRewriter}
 * rephrases them. Thread-safe.
 */
public final class SeriesDescriptions {

    /** How many descriptions every series gets. */
    public static final int COUNT = 5;

    private static final Map<String, String> MODALITIES = Map.ofEntries(
            Map.entry("CT", "computed tomography"),
            Map.entry("MR", "magnetic resonance"),
            Map.entry("PT", "PET"),
            Map.entry("NM", "nuclear medicine"),
            Map.entry("US", "ultrasound"),
            Map.entry("CR", "computed radiography"),
            Map.entry("DX", "digital radiography"),
            Map.entry("MG", "mammography"),
            Map.entry("XA", "X-ray angiography"),
            Map.entry("RF", "fluoroscopy"),
            Map.entry("OT", "other"),
            Map.entry("SEG", "segmentation"),
            Map.entry("RTSTRUCT", "radiotherapy structure set"),
            Map.entry("RTPLAN", "radiotherapy plan"),
            Map.entry("RTDOSE", "radiotherapy dose"),
            Map.entry("SR", "structured report"));

    private final @Nullable DescriptionRewriter rewriter;

    /** @param rewriter a rewriter, or null for the templates alone (the default) */
    public SeriesDescriptions(@Nullable DescriptionRewriter rewriter) {
        this.rewriter = rewriter;
    }

    public List<String> describe(CohortSeries row) {
        List<String> templates = templates(row);
        if (rewriter == null) {
            return templates;
        }
        List<String> rewritten = rewriter.rewrite(row, templates);
        Set<String> kept = new LinkedHashSet<>();
        for (int i = 0; i < templates.size(); i++) {
            String text = i < rewritten.size() ? rewritten.get(i) : null;
            kept.add(text == null || text.isBlank() || kept.contains(text.strip()) ? templates.get(i) : text.strip());
        }
        return kept.size() == COUNT ? List.copyOf(kept) : templates;
    }

    /** The five template descriptions, distinct whatever is missing from the header. */
    static List<String> templates(CohortSeries row) {
        Series s = row.series();
        String code = s.modality() == null || s.modality().isBlank()
                ? "imaging"
                : s.modality().strip().toUpperCase(Locale.ROOT);
        String modality = MODALITIES.getOrDefault(code, code);
        String region = row.anatomy().region() == null
                ? "an unspecified region"
                : "the " + row.anatomy().region().words();
        String plane = switch (s.orientation()) {
            case AXIAL -> "axial";
            case CORONAL -> "coronal";
            case SAGITTAL -> "sagittal";
            case OBLIQUE -> "oblique";
            case UNKNOWN -> "";
        };
        if (s.tilted()) {
            plane = "oblique " + plane; // an axial tilted a few degrees is what radiographers call an oblique axial
        }
        String slices = s.images() == 1 ? "a single image" : s.images() + " images";
        String series = clean(s.seriesDescription());
        String study = clean(s.studyDescription());
        String thickness = s.sliceThickness() == null
                ? ""
                : String.format(Locale.ROOT, " with %s mm slices", trim(s.sliceThickness()));
        String scanner = clean(s.manufacturer());
        String matrix =
                s.rows() == null || s.columns() == null ? "" : " at " + s.rows() + " by " + s.columns() + " pixels";

        List<String> texts = new ArrayList<>(COUNT);
        texts.add(join(plane.isEmpty() ? "" : capital(plane), code, "of", region)
                + (series.isEmpty() ? "" : ": " + series));
        texts.add(capital(modality) + " series of " + region + ", " + slices + thickness);
        texts.add(
                study.isEmpty()
                        ? capital(join(
                                s.orientation() == Series.Orientation.UNKNOWN ? "" : plane + " plane",
                                code,
                                "study of",
                                region))
                        : "Study " + quote(study) + ": " + join(plane, modality, "imaging of", region));
        texts.add(capital(join(code, "images of", region))
                + matrix
                + (scanner.isEmpty() ? "" : ", acquired on a " + scanner + " scanner"));
        texts.add(
                series.isEmpty()
                        ? capital(join(
                                row.anatomy().region() == null
                                        ? "unlabelled"
                                        : row.anatomy().region().words(),
                                code,
                                "scan,",
                                slices))
                        : "Series described as " + quote(series) + ", " + join(code, "of", region));
        Set<String> distinct = new LinkedHashSet<>();
        for (String text : texts) {
            String candidate = text.strip();
            for (int n = 2; !distinct.add(candidate); n++) {
                candidate = text.strip() + " (description " + n + ")";
            }
        }
        return List.copyOf(distinct);
    }

    private static String clean(@Nullable String value) {
        return value == null ? "" : value.strip().replaceAll("\\s+", " ");
    }

    private static String quote(String text) {
        return "\u201c" + text + "\u201d";
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    private static String capital(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static String join(String... words) {
        StringBuilder out = new StringBuilder();
        for (String word : words) {
            if (!word.isBlank()) {
                out.append(out.isEmpty() ? "" : " ").append(word.strip());
            }
        }
        return out.toString();
    }
}
