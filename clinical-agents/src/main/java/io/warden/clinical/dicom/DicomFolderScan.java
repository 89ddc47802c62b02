package io.warden.clinical.dicom;

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
 * not DICOM, or is damaged, does not stop the scan: it is listed in the report with the reason.
 */
public final class DicomFolderScan {

    /** A file the scan could not use, and why. */
    public record Skipped(Path file, String reason) {
    }

    /** What a scan found: the instances read and the files skipped, both in path order. */
    public record Report(List<Instance> instances, List<Skipped> skipped) {

        public Report {
            instances = List.copyOf(instances);
            skipped = List.copyOf(skipped);
        }
    }

    /** An instance and the file it came from. */
    public record Instance(Path file, DicomHeader header) {
    }

    private final DicomReader reader;
    private final int threads;

    public DicomFolderScan(DicomReader reader, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.reader = reader;
        this.threads = threads;
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
                        return new Instance(file, reader.read(file));
                    } catch (DicomFormatException e) {
                        return new Skipped(file, e.getMessage());
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
