package io.warden.clinical.dicom;

import io.warden.clinical.dicom.DicomSource.Instance;
import io.warden.clinical.dicom.DicomSource.Report;
import io.warden.clinical.dicom.DicomSource.Skipped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Reads every file under a folder, recursively and in parallel, with a {@link DicomReader}. A file that is
 * not DICOM, or is damaged, does not stop the scan: it is listed in the report with the reason. Instances and
 * skipped files are in path order, located by their path.
 */
public final class DicomFolderScan {

    /** The reason a file is skipped when its real path is not inside the scanned folder. */
    public static final String OUTSIDE = "is a link that leads outside the data source's folder, or to nothing";

    private final DicomReader reader;
    private final int threads;

    public DicomFolderScan(DicomReader reader, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.reader = reader;
        this.threads = threads;
    }

    /** The scan of one folder as a {@link DicomSource}, so the pipeline can take it or a DICOMweb server alike. */
    public DicomSource source(Path folder) {
        return () -> scan(folder);
    }

    /**
     * Scans the folder. Each file is read at its real path, and only when that path lies inside the folder's real
     * path: a link that leads outside the folder, or to nothing, is skipped with {@link #OUTSIDE} as its reason, one
     * reason for both so the report never tells whether something outside the folder exists.
     */
    public Report scan(Path folder) {
        Path root;
        try {
            root = folder.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + folder, e);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(
                            path -> Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(path))
                    .sorted(Comparator.naturalOrder())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + folder, e);
        }
        List<Skipped> outside = new ArrayList<>();
        List<Path[]> inside = new ArrayList<>();
        for (Path walked : files) {
            Path file = folder.resolve(root.relativize(walked)); // located as the caller named the folder
            Path real;
            try {
                real = walked.toRealPath();
            } catch (IOException e) {
                outside.add(new Skipped(file.toString(), OUTSIDE));
                continue;
            }
            if (!real.startsWith(root)) {
                outside.add(new Skipped(file.toString(), OUTSIDE));
            } else if (Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                inside.add(new Path[] {file, real});
            } // a link to a folder inside: its files are walked where they really are
        }
        List<Instance> instances = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Object>> results = new ArrayList<>();
            for (Path[] file : inside) {
                results.add(pool.submit(() -> {
                    // checked again when read, and opened without following a link: a file swapped for a link to
                    // somewhere else after the listing is skipped, not read
                    try {
                        if (!file[1].toRealPath().startsWith(root)) {
                            return new Skipped(file[0].toString(), OUTSIDE);
                        }
                    } catch (IOException gone) {
                        return new Skipped(file[0].toString(), OUTSIDE);
                    }
                    try (InputStream in = Files.newInputStream(file[1], LinkOption.NOFOLLOW_LINKS)) {
                        // the size bounds every length the file declares, so a lie is refused before it is allocated
                        long size = Files.size(file[1]);
                        return new Instance(file[0].toString(), reader.read(in, file[1].toString(), size));
                    } catch (IOException e) {
                        return new Skipped(file[0].toString(), OUTSIDE);
                    } catch (DicomFormatException e) {
                        return new Skipped(
                                file[0].toString(),
                                Objects.requireNonNullElse(e.getMessage(), "not readable as DICOM"));
                    } catch (RuntimeException | StackOverflowError e) {
                        // the reader turns its failures into DicomFormatException; whatever else one file causes,
                        // it is that file's skip reason and never the whole scan's failure
                        return new Skipped(file[0].toString(), file[1] + ": malformed: " + e);
                    }
                }));
            }
            for (Future<Object> result : results) {
                switch (result.get()) {
                    case Instance instance -> instances.add(instance);
                    case Skipped skip -> skipped.add(skip);
                    default -> throw new IllegalStateException("unexpected result");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while scanning " + folder, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not scan " + folder, e.getCause());
        }
        skipped.addAll(outside);
        skipped.sort(Comparator.comparing(Skipped::location));
        return new Report(instances, skipped);
    }
}
