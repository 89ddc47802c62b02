package io.warden.clinical.ingest;

import static io.warden.clinical.ingest.ImageFileSourceTests.accepted;
import static io.warden.clinical.ingest.ImageFileSourceTests.readAll;
import static io.warden.clinical.ingest.ImageFileSourceTests.rejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import io.warden.clinical.EmbeddingRejected;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.VolumeEmbeddings;
import io.warden.clinical.VolumeEmbeddings.Aggregation;
import io.warden.clinical.dicom.DicomFormatException;
import io.warden.clinical.dicom.DicomImage;
import io.warden.clinical.dicom.DicomReader;
import io.warden.clinical.dicom.Part10;
import io.warden.clinical.internal.TestImageEmbedders;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DICOM instance and series sources, and the volume encoder, on Debian's pydicom files and hostile files built
 * here, with the real ONNX image embedder: what decodes becomes a record, everything else a refusal naming why.
 */
class DicomSourcesTests {

    static final Path FILES = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");
    static final String EXPLICIT_LE = "1.2.840.10008.1.2.1";
    static final String JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
    static final DicomReader READER = new DicomReader("salt".getBytes(StandardCharsets.UTF_8));
    static final ImageLimits LIMITS = new ImageLimits(4, 64L * 1024 * 1024, 100);

    ImageEmbedder embedder;

    @BeforeEach
    void embedder() {
        embedder = TestImageEmbedders.averageColour();
    }

    @AfterEach
    void close() throws Exception {
        TestImageEmbedders.close(embedder);
    }

    @Test
    void aFolderOfInstancesGivesARecordPerDecodableInstanceAndARefusalPerOtherNamingWhy(@TempDir Path folder)
            throws Exception {
        copy(folder, "CT_small.dcm", "MR_small_bigendian.dcm", "ExplVR_BigEnd.dcm", "JPEG2000.dcm");
        copy(folder, "MR_small_jpeg_ls_lossless.dcm", "MR_truncated.dcm", "reportsi.dcm", "rtdose.dcm");
        Files.write(folder.resolve("notes.txt"), "not DICOM".getBytes(StandardCharsets.UTF_8));
        hostile(folder);

        DicomInstanceSource source = DicomInstanceSource.folder(
                folder, READER, embedder, DicomInstanceSource.Frames.FIRST, LIMITS, h -> Map.of("label", "x"));
        assertThat(source.kind()).isEqualTo("dicom-instances-folder");
        List<IngestItem> items = readAll(source, 0);
        Map<String, IngestItem> byFile = new TreeMap<>();
        items.stream()
                .filter(IngestItem.Rejected.class::isInstance)
                .map(IngestItem.Rejected.class::cast)
                .forEach(item ->
                        byFile.put(Path.of(item.reference()).getFileName().toString(), item));
        assertThat(items).hasSize(13);
        assertThat(byFile).hasSize(9);
        for (int i = 0; i < items.size(); i++) {
            assertThat(items.get(i).position()).isEqualTo(i);
        }

        for (String decoded : List.of("CT_small.dcm", "MR_small_bigendian.dcm", "ExplVR_BigEnd.dcm", "rtdose.dcm")) {
            DicomImage image = READER.readImage(FILES.resolve(decoded), 1);
            IngestItem.Accepted record = items.stream()
                    .filter(IngestItem.Accepted.class::isInstance)
                    .map(IngestItem.Accepted.class::cast)
                    .filter(a -> a.record().id().equals(image.header().sopInstanceUid()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(decoded + " has no record"));
            assertThat(record.record().id()).isEqualTo(image.header().sopInstanceUid());
            assertThat(record.record().vector())
                    .containsExactly(embedder.embedImages(List.of(image.png(0))).getFirst(), Offset.offset(1e-6f));
            assertThat(record.record().metadata())
                    .containsEntry("label", "x")
                    .containsEntry("seriesInstanceUid", image.header().seriesInstanceUid())
                    .containsKey("modality");
        }
        assertThat(accepted(items.getFirst()).record().metadata())
                .containsEntry(
                        "patient", READER.read(FILES.resolve("CT_small.dcm")).patientIdHash())
                .doesNotContainValue("1CT1")
                .doesNotContainValue("CompressedSamples^CT1");
        assertThat(rejected(byFile.get("JPEG2000.dcm")).code()).isEqualTo(DicomImage.COMPRESSED);
        assertThat(rejected(byFile.get("JPEG2000.dcm")).reason()).contains("JPEG 2000 (1.2.840.10008.1.2.4.91)");
        assertThat(rejected(byFile.get("MR_small_jpeg_ls_lossless.dcm")).reason())
                .contains("JPEG-LS Lossless");
        assertThat(rejected(byFile.get("MR_truncated.dcm")).code()).isEqualTo(DicomImage.TRUNCATED);
        assertThat(rejected(byFile.get("reportsi.dcm")).code()).isEqualTo(DicomImage.NO_PIXELS);
        assertThat(rejected(byFile.get("notes.txt")).code()).isEqualTo("dicom-unreadable");
        assertThat(rejected(byFile.get("absurd-size.dcm")).code()).isEqualTo(DicomImage.TOO_LARGE);
        assertThat(rejected(byFile.get("declares-more-than-the-file.dcm")).code())
                .isEqualTo(DicomImage.TRUNCATED);
        assertThat(rejected(byFile.get("short-pixel-data.dcm")).code()).isEqualTo(DicomImage.TRUNCATED);
        assertThat(rejected(byFile.get("short-pixel-data.dcm")).reason()).contains("need 32");
        assertThat(rejected(byFile.get("encapsulated.dcm")).code()).isEqualTo(DicomImage.COMPRESSED);
        assertThat(rejected(byFile.get("encapsulated.dcm")).reason()).contains("JPEG Baseline");
    }

    @Test
    void eachFrameIsARecordAndAReadResumesAtAFrame(@TempDir Path folder) throws Exception {
        copy(folder, "CT_small.dcm", "rtdose.dcm");
        DicomInstanceSource source = DicomInstanceSource.folder(
                folder, READER, embedder, DicomInstanceSource.Frames.EACH, LIMITS, h -> Map.of());
        assertThat(source.size()).isEqualTo(16); // CT_small, then rtdose's 15 frames
        List<IngestItem> all = readAll(source, 0);
        assertThat(all).hasSize(16).allSatisfy(item -> assertThat(item).isInstanceOf(IngestItem.Accepted.class));
        String rtdose = READER.read(FILES.resolve("rtdose.dcm")).sopInstanceUid();
        assertThat(accepted(all.get(1)).record().id()).isEqualTo(rtdose + "/frame-1");
        assertThat(accepted(all.get(15)).record().id()).isEqualTo(rtdose + "/frame-15");
        assertThat(accepted(all.get(15)).record().metadata()).containsEntry("frame", "15");

        List<IngestItem> resumed = readAll(source, 7);
        assertThat(resumed).extracting(IngestItem::position).first().isEqualTo(7L);
        assertThat(resumed.stream().map(ImageFileSourceTests::describe).toList())
                .isEqualTo(all.subList(7, 16).stream()
                        .map(ImageFileSourceTests::describe)
                        .toList());
    }

    @Test
    void aSeriesFolderGivesOneMedianVolumePerSeriesWithSeriesMetadataAndNoPatientInClear(@TempDir Path folder)
            throws Exception {
        Path dirs = FILES.resolve("dicomdirtests");
        for (String series : List.of("77654033/CT2", "98892001/CT5N")) {
            try (Stream<Path> files = Files.list(dirs.resolve(series))) {
                for (Path file : files.toList()) {
                    Path target = folder.resolve(series).resolve(file.getFileName());
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target);
                }
            }
        }
        copy(folder, "JPEG2000.dcm"); // a series of its own, refused whole
        DicomSeriesSource source = DicomSeriesSource.folder(
                folder, READER, embedder, VolumeEncoder.defaultAggregation(), LIMITS, h -> Map.of("label", "chest"));
        assertThat(source.kind()).isEqualTo("dicom-series-folder");
        assertThat(source.size()).isEqualTo(3);
        List<IngestItem> items = readAll(source, 0);
        List<IngestItem.Accepted> volumes = items.stream()
                .filter(IngestItem.Accepted.class::isInstance)
                .map(IngestItem.Accepted.class::cast)
                .toList();
        assertThat(volumes).hasSize(2);
        for (IngestItem.Accepted volume : volumes) {
            Map<String, String> metadata = volume.record().metadata();
            assertThat(volume.record().id()).isEqualTo(metadata.get("seriesInstanceUid"));
            assertThat(metadata)
                    .containsEntry("modality", "CT")
                    .containsEntry("aggregation", "median")
                    .containsEntry("label", "chest")
                    .containsKeys("studyInstanceUid", "patient")
                    .doesNotContainKey("sopInstanceUid");
            // the median of the slices' own embeddings
            List<float[]> slices = new ArrayList<>();
            for (Path file : seriesFiles(folder, volume.record().id())) {
                slices.add(
                        embedder.embedImages(List.of(READER.readImage(file, 1).png(0)))
                                .getFirst());
            }
            assertThat(metadata).containsEntry("slices", Integer.toString(slices.size()));
            assertThat(volume.record().vector())
                    .containsExactly(VolumeEmbeddings.aggregate(slices, Aggregation.MEDIAN), Offset.offset(1e-6f));
        }
        assertThat(volumes).extracting(v -> v.record().metadata().get("slices")).containsExactlyInAnyOrder("4", "5");
        IngestItem.Rejected jpeg = items.stream()
                .filter(IngestItem.Rejected.class::isInstance)
                .map(IngestItem.Rejected.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(jpeg.code()).isEqualTo(DicomImage.COMPRESSED);
        assertThat(jpeg.reason()).contains("slice").contains("JPEG2000.dcm");

        assertThat(readAll(source, 1).stream()
                        .map(ImageFileSourceTests::describe)
                        .toList())
                .isEqualTo(items.subList(1, 3).stream()
                        .map(ImageFileSourceTests::describe)
                        .toList());
    }

    @Test
    void uploadedInstancesOfOneSeriesEncodeAsTheFolderSourceDoesAndOthersAreRefused(@TempDir Path folder)
            throws Exception {
        VolumeEncoder encoder = new VolumeEncoder(embedder, READER, Aggregation.MEAN, LIMITS);
        Path series = FILES.resolve("dicomdirtests/98892001/CT5N");
        List<byte[]> uploads = new ArrayList<>();
        try (Stream<Path> files = Files.list(series)) {
            for (Path file : files.sorted().toList()) {
                uploads.add(Files.readAllBytes(file));
            }
        }
        VolumeEncoder.Volume volume = encoder.fromUploads(uploads);
        assertThat(volume.slices()).isEqualTo(5);
        assertThat(volume.metadata()).containsEntry("aggregation", "mean");
        List<float[]> slices = new ArrayList<>();
        for (byte[] upload : uploads) {
            slices.add(embedder.embedImages(
                            List.of(READER.readImage(new ByteArrayInputStream(upload), "u", upload.length, 1)
                                    .png(0)))
                    .getFirst());
        }
        assertThat(volume.vector())
                .containsExactly(VolumeEmbeddings.aggregate(slices, Aggregation.MEAN), Offset.offset(1e-6f));

        List<byte[]> mixed = new ArrayList<>(uploads);
        mixed.add(Files.readAllBytes(FILES.resolve("CT_small.dcm")));
        assertThatThrownBy(() -> encoder.fromUploads(mixed))
                .isInstanceOfSatisfying(
                        EmbeddingRejected.class, e -> assertThat(e.code()).isEqualTo("volume-mixed-series"));
        assertThatThrownBy(() -> encoder.fromUploads(List.of()))
                .isInstanceOfSatisfying(
                        EmbeddingRejected.class, e -> assertThat(e.code()).isEqualTo("volume-empty"));
        assertThatThrownBy(() -> encoder.fromUploads(
                        List.of(Files.readAllBytes(FILES.resolve("MR_small_jpeg_ls_lossless.dcm")))))
                .isInstanceOfSatisfying(EmbeddingRejected.class, e -> {
                    assertThat(e.code()).isEqualTo(DicomImage.COMPRESSED);
                    assertThat(e.getMessage()).contains("JPEG-LS Lossless").contains("instance-000000");
                });
        assertThatThrownBy(() -> new VolumeEncoder(embedder, READER, Aggregation.MEDIAN, new ImageLimits(4, 1 << 20, 3))
                        .fromUploads(uploads))
                .isInstanceOfSatisfying(
                        EmbeddingRejected.class, e -> assertThat(e.code()).isEqualTo("volume-too-many-slices"));
    }

    @Test
    void absurdDimensionsAreRefusedWithoutAllocatingThem() throws Exception {
        // 16384 x 16384 x 3 samples of 16 bits would be 1.5 GB: refused from the header, in a few KB
        Map<Integer, Object> attributes = rgb(16_384, 16_384, 16);
        byte[] file = Part10.file(EXPLICIT_LE, attributes, new byte[64], 0x7FFFFFF0L);
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> READER.readImage(new ByteArrayInputStream(file), "x", -1, 1))
                .isInstanceOfSatisfying(
                        DicomFormatException.class,
                        e -> assertThat(e.code()).isIn(DicomImage.TOO_LARGE, DicomImage.TRUNCATED));
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(16L * 1024 * 1024);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    /** The files of the copied series with this UID. */
    static List<Path> seriesFiles(Path folder, String seriesUid) throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                try {
                    if (seriesUid.equals(READER.read(file).seriesInstanceUid())) {
                        files.add(file);
                    }
                } catch (DicomFormatException notDicom) {
                    // not one of the series
                }
            }
        }
        return files;
    }

    static void copy(Path folder, String... names) throws Exception {
        for (String name : names) {
            Files.copy(FILES.resolve(name), folder.resolve(name));
        }
    }

    /** Files that lie about their pixels. */
    static void hostile(Path folder) throws Exception {
        Files.write(
                folder.resolve("absurd-size.dcm"),
                Part10.file(EXPLICIT_LE, grey(65_535, 65_535), new byte[64], 0x7FFFFFF0L));
        Files.write(
                folder.resolve("declares-more-than-the-file.dcm"),
                Part10.file(EXPLICIT_LE, grey(4, 4), new byte[32], 1_000_000));
        Files.write(folder.resolve("short-pixel-data.dcm"), Part10.file(EXPLICIT_LE, grey(4, 4), new byte[10]));
        Files.write(
                folder.resolve("encapsulated.dcm"),
                Part10.file(JPEG_BASELINE, grey(4, 4), new byte[] {(byte) 0xFE, (byte) 0xFF, 0, (byte) 0xE0}, -1));
    }

    static Map<Integer, Object> grey(int rows, int columns) {
        Map<Integer, Object> attributes = base(rows, columns);
        attributes.put(0x00280002, 1);
        attributes.put(0x00280004, "MONOCHROME2");
        attributes.put(0x00280100, 16);
        attributes.put(0x00280101, 16);
        attributes.put(0x00280102, 15);
        attributes.put(0x00280103, 0);
        return attributes;
    }

    static Map<Integer, Object> rgb(int rows, int columns, int bits) {
        Map<Integer, Object> attributes = base(rows, columns);
        attributes.put(0x00280002, 3);
        attributes.put(0x00280004, "RGB");
        attributes.put(0x00280100, bits);
        attributes.put(0x00280101, bits);
        attributes.put(0x00280102, bits - 1);
        attributes.put(0x00280103, 0);
        return attributes;
    }

    private static Map<Integer, Object> base(int rows, int columns) {
        Map<Integer, Object> attributes = new TreeMap<>();
        attributes.put(0x00080018, "1.2.826.0.1.3680043.10.9." + rows + "." + columns);
        attributes.put(0x00080060, "CT");
        attributes.put(0x0020000D, "1.2.826.0.1.3680043.10.9.1");
        attributes.put(0x0020000E, "1.2.826.0.1.3680043.10.9.1.1");
        attributes.put(0x00280010, rows);
        attributes.put(0x00280011, columns);
        return attributes;
    }
}
