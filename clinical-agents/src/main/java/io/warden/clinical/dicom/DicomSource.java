package io.warden.clinical.dicom;

import java.util.List;

/**
 * Where the cohort builder gets its instance headers: a folder of files ({@link DicomFolderScan#source}) or a
 * DICOMweb server ({@link DicomWebSource}). Both answer with the same report, so the pipeline treats them alike.
 */
@FunctionalInterface
public interface DicomSource {

    /** Reads every instance the source holds. An item it cannot use is listed, not thrown. */
    Report read();

    /**
     * An instance and where it came from.
     *
     * @param location a file path, or the instance's DICOMweb URL: enough for a person to find it again
     */
    record Instance(String location, DicomHeader header) {}

    /** An item the source could not use, where it was, and why. */
    record Skipped(String location, String reason) {}

    /** What a source found: the instances read and the items skipped, each in the source's order. */
    record Report(List<Instance> instances, List<Skipped> skipped) {

        public Report {
            instances = List.copyOf(instances);
            skipped = List.copyOf(skipped);
        }

        /** The headers alone, as {@link Series#group} takes them. */
        public List<DicomHeader> headers() {
            return instances.stream().map(Instance::header).toList();
        }
    }
}
