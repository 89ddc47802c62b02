package io.warden.clinical.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.VolumeEmbeddings.Aggregation;
import io.warden.clinical.ingest.DicomInstanceSource;
import io.warden.clinical.ingest.ImageLimits;
import io.warden.clinical.ingest.IngestItem;
import io.warden.clinical.ingest.VolumeEncoder;
import io.warden.clinical.internal.TestImageEmbedders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DICOMweb path of the image and volume sources against the real Orthanc of {@link DicomWebSourceTests}: frames
 * rendered by the server (WADO-RS {@code frames/1/rendered}), embedded with the real ONNX image embedder.
 */
class DicomWebIngestTests {

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

    @AfterAll
    static void stopOrthanc() throws Exception {
        DicomWebSourceTests.stopOrthanc();
    }

    @Test
    void everyInstanceOrthancRendersBecomesARecordOfItsRenderedFrame() throws Exception {
        DicomWebSource server =
                DicomWebSourceTests.orthanc().source(DicomWebSourceTests.SALT, DicomWebSourceTests.FAST);
        DicomInstanceSource source = DicomInstanceSource.dicomWeb(
                server, embedder, DicomInstanceSource.Frames.FIRST, LIMITS, header -> Map.of("label", "web"));
        assertThat(source.kind()).isEqualTo("dicom-instances-dicomweb");
        assertThat(source.size()).isEqualTo(DicomWebSourceTests.UPLOADS.size());
        List<IngestItem> items = new ArrayList<>();
        source.read(0, items::add);
        List<IngestItem.Accepted> accepted = items.stream()
                .filter(IngestItem.Accepted.class::isInstance)
                .map(IngestItem.Accepted.class::cast)
                .toList();
        // the CT and MR images at least: CT_small, MR_small and the three DICOMDIR series
        assertThat(accepted.size()).isGreaterThanOrEqualTo(15);
        for (IngestItem.Accepted record : accepted) {
            String location = server.read().instances().stream()
                    .filter(i -> record.record().id().equals(i.header().sopInstanceUid()))
                    .findFirst()
                    .orElseThrow()
                    .location();
            assertThat(record.record().vector())
                    .containsExactly(
                            embedder.embedImages(List.of(server.renderedFrame(location, 1)))
                                    .getFirst(),
                            Offset.offset(1e-6f));
            assertThat(record.record().metadata()).containsEntry("label", "web").containsKey("seriesInstanceUid");
        }
        assertThat(items)
                .filteredOn(IngestItem.Rejected.class::isInstance)
                .allSatisfy(
                        item -> assertThat(((IngestItem.Rejected) item).code()).isEqualTo("not-rendered"));

        List<IngestItem> resumed = new ArrayList<>();
        source.read(items.size() - 2, resumed::add);
        assertThat(resumed).extracting(IngestItem::position).containsExactly(items.size() - 2L, items.size() - 1L);
    }

    @Test
    void aSeriesByItsUidsOnOrthancIsOneVolumeOfItsRenderedSlices() throws Exception {
        DicomWebSource server =
                DicomWebSourceTests.orthanc().source(DicomWebSourceTests.SALT, DicomWebSourceTests.FAST);
        DicomHeader slice = new DicomReader(DicomWebSourceTests.SALT)
                .read(DicomWebSourceTests.DATA.resolve("test_files/dicomdirtests/98892001/CT5N/2062"));
        VolumeEncoder encoder =
                new VolumeEncoder(embedder, new DicomReader(DicomWebSourceTests.SALT), Aggregation.MEDIAN, LIMITS);
        VolumeEncoder.Volume volume = encoder.fromDicomWeb(
                server,
                Objects.requireNonNull(slice.studyInstanceUid()),
                Objects.requireNonNull(slice.seriesInstanceUid()));
        assertThat(volume.slices()).isEqualTo(5);
        assertThat(volume.seriesInstanceUid()).isEqualTo(slice.seriesInstanceUid());
        assertThat(volume.metadata())
                .containsEntry("modality", "CT")
                .containsEntry("studyInstanceUid", slice.studyInstanceUid())
                .containsEntry("patient", slice.patientIdHash())
                .containsEntry("slices", "5");
        assertThat(volume.vector()).hasSize(embedder.dimension());
    }
}
