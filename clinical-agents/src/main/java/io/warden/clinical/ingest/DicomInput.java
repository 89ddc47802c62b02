package io.warden.clinical.ingest;

import io.warden.clinical.dicom.DicomFolderScan;
import io.warden.clinical.dicom.DicomFormatException;
import io.warden.clinical.dicom.DicomHeader;
import io.warden.clinical.dicom.DicomImage;
import io.warden.clinical.dicom.DicomReader;
import io.warden.clinical.dicom.DicomSource;
import io.warden.clinical.dicom.DicomWebException;
import io.warden.clinical.dicom.DicomWebSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where DICOM instances come from: a registered folder, a DICOMweb server (all of it or one series), or instances
 * uploaded with a request. Each lists its instances in a stable order (by location) and gives the frames of one as
 * encoded images for an {@link io.warden.clinical.ImageEmbedder}: decoded from the file's pixel data, or rendered
 * by the server. Not thread-safe: one reader at a time (it keeps the last file decoded, for its next frames).
 */
abstract sealed class DicomInput {

    /** Code of an input listed but not readable as DICOM. */
    static final String UNREADABLE = DicomFormatException.UNREADABLE;
    /** Code of a file that is a link out of the folder, or gone. */
    static final String OUTSIDE = "outside-source";
    /** Code of a frame a DICOMweb server did not render. */
    static final String NOT_RENDERED = "not-rendered";
    /** Code of a file or rendered frame above the size cap. */
    static final String TOO_LARGE = DicomImage.TOO_LARGE;

    /** An instance, or an input that is not one and why. */
    record Listed(
            String location,
            @Nullable DicomHeader header,
            @Nullable Refused refused) {

        int frames() {
            Integer frames = header == null ? null : header.numberOfFrames();
            return frames == null || frames < 1 ? 1 : frames;
        }
    }

    final ImageLimits limits;

    DicomInput(ImageLimits limits) {
        this.limits = limits;
    }

    /** Every instance, in location order. */
    abstract List<Listed> list();

    /** Frames {@code first} to {@code first + count - 1} (from 0) of a listed instance, encoded. */
    abstract List<byte[]> frames(Listed instance, int first, int count) throws Refused;

    /** The {@link io.warden.clinical.ingest.IngestSource#kind()} suffix: where the instances came from. */
    abstract String origin();

    static List<Listed> sorted(DicomSource.Report report, String unreadable) {
        List<Listed> listed = new ArrayList<>();
        report.instances().forEach(i -> listed.add(new Listed(i.location(), i.header(), null)));
        report.skipped()
                .forEach(s -> listed.add(new Listed(
                        s.location(),
                        null,
                        new Refused(s.reason().equals(DicomFolderScan.OUTSIDE) ? OUTSIDE : unreadable, s.reason()))));
        listed.sort(Comparator.comparing(Listed::location));
        return List.copyOf(listed);
    }

    /** Decoded pixels: a folder's files or uploaded bytes, read with the reader in pixel mode. */
    abstract static sealed class Decoded extends DicomInput {

        final DicomReader reader;
        private @Nullable String lastLocation;
        private @Nullable DicomImage last;

        Decoded(DicomReader reader, ImageLimits limits) {
            super(limits);
            this.reader = reader;
        }

        abstract DicomImage read(Listed instance, int frames) throws Refused, DicomFormatException;

        @Override
        final List<byte[]> frames(Listed instance, int first, int count) throws Refused {
            DicomImage image = instance.location().equals(lastLocation) ? last : null;
            if (image == null || image.frames() < first + count) {
                try {
                    // every frame the header states, so that the next frames of a multi-frame instance are at hand
                    image = read(instance, Math.max(first + count, instance.frames()));
                } catch (DicomFormatException e) {
                    throw new Refused(e.code(), String.valueOf(e.getMessage()));
                }
                lastLocation = instance.location();
                last = image;
            }
            if (first + count > image.frames()) {
                throw new Refused(
                        DicomImage.TRUNCATED,
                        instance.location() + ": frame " + (first + count) + " asked, the file has " + image.frames());
            }
            List<byte[]> frames = new ArrayList<>(count);
            for (int f = first; f < first + count; f++) {
                frames.add(image.png(f));
            }
            return frames;
        }
    }

    /** The files under a folder, read only where their real path lies inside it. */
    static final class Folder extends Decoded {

        private final Path folder;
        private final int threads;

        Folder(Path folder, DicomReader reader, int threads, ImageLimits limits) {
            super(reader, limits);
            this.folder = folder;
            this.threads = threads;
        }

        @Override
        String origin() {
            return "folder";
        }

        @Override
        List<Listed> list() {
            return sorted(new DicomFolderScan(reader, threads).scan(folder), UNREADABLE);
        }

        @Override
        DicomImage read(Listed instance, int frames) throws Refused, DicomFormatException {
            Path file = Path.of(instance.location());
            try {
                Path root = folder.toRealPath();
                // as the scan: a file swapped for a link since it was listed is not followed out of the folder
                if (!file.toRealPath().startsWith(root)) {
                    throw new Refused(OUTSIDE, instance.location() + ": " + DicomFolderScan.OUTSIDE);
                }
                long size = Files.size(file);
                if (size > limits.maxBytes()) {
                    throw new Refused(
                            TOO_LARGE,
                            instance.location() + " has " + size + " bytes; at most " + limits.maxBytes()
                                    + " are read");
                }
                try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                    return reader.readImage(in, instance.location(), size, frames);
                }
            } catch (IOException e) {
                throw new Refused(OUTSIDE, instance.location() + ": " + DicomFolderScan.OUTSIDE);
            }
        }
    }

    /** Part 10 files sent with a request, located as {@code instance-<n>} in the order sent. */
    static final class Uploads extends Decoded {

        private final List<byte[]> files;

        Uploads(List<byte[]> files, DicomReader reader, ImageLimits limits) {
            super(reader, limits);
            this.files = List.copyOf(files);
        }

        @Override
        String origin() {
            return "upload";
        }

        private static String location(int index) {
            return String.format(Locale.ROOT, "instance-%06d", index);
        }

        @Override
        List<Listed> list() {
            List<Listed> listed = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                byte[] file = files.get(i);
                String location = location(i);
                if (file.length > limits.maxBytes()) {
                    listed.add(new Listed(
                            location,
                            null,
                            new Refused(
                                    TOO_LARGE,
                                    location + " has " + file.length + " bytes; at most " + limits.maxBytes()
                                            + " are read")));
                    continue;
                }
                try {
                    listed.add(new Listed(
                            location, reader.read(new ByteArrayInputStream(file), location, file.length), null));
                } catch (DicomFormatException e) {
                    listed.add(new Listed(location, null, new Refused(e.code(), String.valueOf(e.getMessage()))));
                }
            }
            return listed;
        }

        @Override
        DicomImage read(Listed instance, int frames) throws DicomFormatException {
            byte[] file = files.get(Integer.parseInt(instance.location().substring("instance-".length())));
            return reader.readImage(new ByteArrayInputStream(file), instance.location(), file.length, frames);
        }
    }

    /** A DICOMweb server: every instance it holds, or one series; frames rendered by the server. */
    static final class Web extends DicomInput {

        private final DicomWebSource source;
        private final @Nullable String studyUid;
        private final @Nullable String seriesUid;

        Web(DicomWebSource source, @Nullable String studyUid, @Nullable String seriesUid, ImageLimits limits) {
            super(limits);
            this.source = source;
            this.studyUid = studyUid;
            this.seriesUid = seriesUid;
        }

        @Override
        String origin() {
            return "dicomweb";
        }

        @Override
        List<Listed> list() {
            DicomSource.Report report =
                    studyUid != null && seriesUid != null ? source.readSeries(studyUid, seriesUid) : source.read();
            return sorted(report, "dicomweb-unreadable");
        }

        @Override
        List<byte[]> frames(Listed instance, int first, int count) throws Refused {
            List<byte[]> frames = new ArrayList<>(count);
            for (int f = first; f < first + count; f++) {
                byte[] image;
                try {
                    image = source.renderedFrame(instance.location(), f + 1);
                } catch (DicomWebException e) {
                    throw new Refused(NOT_RENDERED, String.valueOf(e.getMessage()));
                }
                if (image.length > limits.maxBytes()) {
                    throw new Refused(
                            TOO_LARGE,
                            instance.location() + " frame " + (f + 1) + " renders to " + image.length
                                    + " bytes; at most " + limits.maxBytes() + " are embedded");
                }
                frames.add(image);
            }
            return frames;
        }
    }
}
