package io.warden.clinical.dicom;

import io.warden.clinical.dicom.DicomSource.Instance;
import io.warden.clinical.dicom.DicomSource.Report;
import io.warden.clinical.dicom.DicomSource.Skipped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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

    public Report scan(Path folder) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + folder, e);
        }
        List<Instance> instances = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Object>> results = new ArrayList<>();
            for (Path file : files) {
                results.add(pool.submit(() -> {
                    try {
                        return new Instance(file.toString(), reader.read(file));
                    } catch (DicomFormatException e) {
                        return new Skipped(file.toString(), e.getMessage());
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
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Could not scan " + folder, e.getCause());
        }
        return new Report(instances, skipped);
    }
}
