package io.warden.clinical.dicom;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A series as the cohort builder sees it: its instances grouped by Series Instance UID (a SOP instance met
 * twice counts once), with its plane read from the direction cosines.
 *
 * @param sliceCount     distinct SOP instances
 * @param images         images in the series: the frames of every distinct instance (one for a single-frame instance)
 * @param sliceThickness of the first instance that states one, in millimetres
 * @param tilt           degrees between the slice normal and the axis of its plane (an "oblique axial" is an axial
 *                       tilted a few degrees, say along the AC-PC line); null without ImageOrientationPatient
 */
public record Series(
        String seriesInstanceUid,
        @Nullable String studyInstanceUid,
        @Nullable String modality,
        @Nullable String bodyPartExamined,
        @Nullable String seriesDescription,
        @Nullable String studyDescription,
        Orientation orientation,
        int sliceCount,
        int images,
        @Nullable Double sliceThickness,
        @Nullable Integer rows,
        @Nullable Integer columns,
        @Nullable String manufacturer,
        @Nullable Double tilt) {

    /** From this tilt on, a series of a standard plane is called oblique within it ("oblique axial"). */
    public static final double TILTED = 5.0;

    /** Whether the slices are tilted within their plane by {@link #TILTED} degrees or more (not OBLIQUE: tilted less than that). */
    public boolean tilted() {
        return tilt != null
                && tilt >= TILTED
                && orientation != Orientation.OBLIQUE
                && orientation != Orientation.UNKNOWN;
    }

    /** Degrees between the slice normal of a direction cosine pair and the nearest axis, or null for no pair. */
    public static @Nullable Double tilt(List<Double> cosines) {
        if (cosines.size() != 6) {
            return null;
        }
        double[] r = {cosines.get(0), cosines.get(1), cosines.get(2)};
        double[] c = {cosines.get(3), cosines.get(4), cosines.get(5)};
        double[] n = {r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]};
        double length = Math.sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
        if (length == 0) {
            return null;
        }
        double largest = Math.max(Math.abs(n[0]), Math.max(Math.abs(n[1]), Math.abs(n[2]))) / length;
        return Math.round(Math.toDegrees(Math.acos(Math.min(1, largest))) * 10) / 10.0;
    }

    /** The imaging plane. */
    public enum Orientation {
        AXIAL,
        CORONAL,
        SAGITTAL,
        /** more than about 37 degrees off every standard plane */
        OBLIQUE,
        /** no ImageOrientationPatient */
        UNKNOWN
    }

    /** The plane of a row and column direction cosine pair: the axis the slice normal is closest to. */
    public static Orientation orientation(List<Double> cosines) {
        if (cosines.size() != 6) {
            return Orientation.UNKNOWN;
        }
        double[] r = {cosines.get(0), cosines.get(1), cosines.get(2)};
        double[] c = {cosines.get(3), cosines.get(4), cosines.get(5)};
        double[] n = {r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]};
        double x = Math.abs(n[0]);
        double y = Math.abs(n[1]);
        double z = Math.abs(n[2]);
        double largest = Math.max(x, Math.max(y, z));
        if (largest < 0.8) {
            return Orientation.OBLIQUE;
        }
        return largest == z ? Orientation.AXIAL : largest == y ? Orientation.CORONAL : Orientation.SAGITTAL;
    }

    /** Groups instances into series, in the order their series first appear; instances without a series UID are left out. */
    public static List<Series> group(Collection<DicomHeader> instances) {
        Map<String, List<DicomHeader>> bySeries = new LinkedHashMap<>();
        for (DicomHeader header : instances) {
            if (header.seriesInstanceUid() != null) {
                bySeries.computeIfAbsent(header.seriesInstanceUid(), uid -> new ArrayList<>())
                        .add(header);
            }
        }
        List<Series> series = new ArrayList<>();
        bySeries.forEach((uid, members) -> {
            Set<String> sops = new LinkedHashSet<>();
            int images = 0;
            for (DicomHeader member : members) {
                if (sops.add(member.sopInstanceUid() == null ? "instance-" + sops.size() : member.sopInstanceUid())) {
                    images += member.numberOfFrames() == null ? 1 : Math.max(1, member.numberOfFrames());
                }
            }
            DicomHeader first = members.getFirst();
            Orientation orientation = members.stream()
                    .map(member -> orientation(member.orientation()))
                    .filter(o -> o != Orientation.UNKNOWN)
                    .findFirst()
                    .orElse(Orientation.UNKNOWN);
            Double thickness = members.stream()
                    .map(DicomHeader::sliceThickness)
                    .filter(t -> t != null)
                    .findFirst()
                    .orElse(null);
            Double tilt = members.stream()
                    .map(member -> tilt(member.orientation()))
                    .filter(t -> t != null)
                    .findFirst()
                    .orElse(null);
            series.add(new Series(
                    uid,
                    first.studyInstanceUid(),
                    first.modality(),
                    first.bodyPartExamined(),
                    first.seriesDescription(),
                    first.studyDescription(),
                    orientation,
                    sops.size(),
                    images,
                    thickness,
                    first.rows(),
                    first.columns(),
                    first.manufacturer(),
                    tilt));
        });
        return series;
    }
}
