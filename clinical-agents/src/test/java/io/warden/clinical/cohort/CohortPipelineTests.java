package io.warden.clinical.cohort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorIndex;
import io.warden.clinical.dicom.DicomFolderScan;
import io.warden.clinical.dicom.DicomReader;
import io.warden.clinical.internal.FileVectorCollections;
import io.warden.clinical.internal.OnnxTextEmbedder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole build over the real DICOM files Debian's pydicom ships (CT head, C-spine radiographs, MR brain and
 * carotid studies, damaged files): every step in turn, then a search by natural language.
 */
class CohortPipelineTests {

    static final Path FILES = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files");

    static OnnxTextEmbedder embedder;

    @BeforeAll
    static void model() {
        embedder = OnnxTextEmbedder.miniLmQuantized(
                new OnnxTextEmbedder.Settings("all-MiniLM-L6-v2 (int8)", 64, 10_000, 2, false));
    }

    @AfterAll
    static void close() throws Exception {
        embedder.close();
    }

    @Test
    void buildsASearchableIndexAndAProjectionFromAnArchive(@TempDir Path runs, @TempDir Path collectionsDir) {
        try (FileVectorCollections collections = new FileVectorCollections(collectionsDir, 16, 100)) {
            CohortPipeline pipeline = new CohortPipeline(
                    runs,
                    AnatomyClassifier.metadataOnly(),
                    new SeriesDescriptions(null),
                    embedder,
                    collections,
                    Projection.defaults(),
                    IndexKind.HNSW);
            var report = new DicomFolderScan(new DicomReader("salt".getBytes(StandardCharsets.UTF_8)), 2).scan(FILES);
            List<CohortPipeline.Problem> problems = report.skipped().stream()
                    .map(skipped -> new CohortPipeline.Problem(skipped.location(), skipped.reason()))
                    .toList();
            var series = pipeline.extract("run-1", report.headers(), problems);
            assertThat(series).hasSizeGreaterThan(20);
            assertThat(pipeline.problems("run-1"))
                    .isNotEmpty()
                    .allSatisfy(problem -> assertThat(problem.reason()).isNotBlank());

            List<CohortSeries> rows = pipeline.classify("run-1", CohortPipeline.Progress.NONE);
            assertThat(rows)
                    .filteredOn(row -> "Cervical LAT".equals(row.series().seriesDescription()))
                    .singleElement()
                    .satisfies(row -> assertThat(row.anatomy())
                            .isEqualTo(new AnatomyCall(Anatomy.SPINE, AnatomyTier.BODY_PART_EXAMINED, "CSPINE")));
            assertThat(rows)
                    .filteredOn(row -> "Routine Brain".equals(row.series().seriesDescription()))
                    .singleElement()
                    .satisfies(row -> {
                        assertThat(row.anatomy().region()).isEqualTo(Anatomy.HEAD);
                        assertThat(row.series().sliceCount()).isEqualTo(4);
                    });
            assertThat(rows)
                    .filteredOn(row -> "Brain-MRA".equals(row.series().studyDescription()))
                    .isNotEmpty()
                    .allSatisfy(row -> assertThat(row.anatomy().tier()).isEqualTo(AnatomyTier.DESCRIPTION));

            int[] lastProgress = new int[2];
            List<CohortSeries> described = pipeline.describe("run-1", (done, total) -> {
                lastProgress[0] = done;
                lastProgress[1] = total;
            });
            assertThat(lastProgress).containsExactly(rows.size(), rows.size());
            assertThat(described)
                    .allSatisfy(row -> assertThat(row.descriptions()).hasSize(5).doesNotHaveDuplicates());
            assertThat(pipeline.embed("run-1", CohortPipeline.Progress.NONE)).isEqualTo(5 * rows.size());
            assertThat(pipeline.project("run-1", CohortPipeline.Progress.NONE)).isEqualTo(rows.size());
            VectorIndex index = pipeline.index("run-1", "cohort-test", "pydicom-fixtures");
            assertThat(index.size()).isEqualTo(5 * rows.size());
            assertThat(pipeline.complete("run-1")).isTrue();

            List<SearchHit> hits = collections.search(
                    "cohort-test",
                    embedder.embed(List.of("radiograph of the cervical spine")).getFirst(),
                    5,
                    Map.of());
            assertThat(hits.getFirst().metadata())
                    .containsEntry("modality", "CR")
                    .containsEntry("bodyPart", "SPINE")
                    .containsEntry("dataset", "pydicom-fixtures")
                    .containsEntry("run", "run-1");
            List<SearchHit> brains = collections.search(
                    "cohort-test", embedder.embed(List.of("MR of the brain")).getFirst(), 5, Map.of("modality", "MR"));
            assertThat(brains)
                    .isNotEmpty()
                    .allSatisfy(
                            hit -> assertThat(hit.metadata().get("bodyPart")).isIn("HEAD", "NECK"));

            List<CohortRuns.Match> matches = pipeline.search(
                    "run-1",
                    embedder.embed(List.of("radiograph of the cervical spine")).getFirst(),
                    3);
            assertThat(matches).hasSize(3);
            assertThat(matches.getFirst().seriesInstanceUid())
                    .isEqualTo(hits.getFirst().metadata().get("series"));
            assertThat(matches.getFirst().score())
                    .isGreaterThanOrEqualTo(matches.get(1).score());

            List<CohortPipeline.Point> points = pipeline.points("run-1");
            assertThat(points).hasSize(rows.size()).allSatisfy(point -> {
                assertThat(Float.isFinite(point.x()) && Float.isFinite(point.y()))
                        .isTrue();
            });
            assertThat(points.stream()
                            .map(point -> point.x() + "," + point.y())
                            .distinct()
                            .count())
                    .isGreaterThan(1);

            assertThat(pipeline.reindex("run-1", "cohort-test", "pydicom-fixtures")
                            .version())
                    .isEqualTo(index.version() + 1);
            pipeline.delete("run-1");
            assertThat(pipeline.complete("run-1")).isFalse();
            assertThatThrownBy(() -> pipeline.points("run-1"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("run-1");
            assertThatThrownBy(() -> pipeline.folder("../etc")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** An image model that sees a chest in every slice, for the tier order; the real encoders are tested in internal. */
    record ChestSeeingEncoder(int dimension) implements ImageEmbedder {

        @Override
        public String modelName() {
            return "chest-seeing test encoder";
        }

        @Override
        public List<float[]> embedImages(List<byte[]> images) {
            return images.stream()
                    .map(image -> {
                        float[] v = new float[dimension];
                        v[0] = 1;
                        return v;
                    })
                    .toList();
        }
    }

    @Test
    void theImageTierDecidesOnlyWhatMetadataCannotAndOnlyWithARenderedSlice(
            @TempDir Path runs, @TempDir Path collectionsDir) {
        float[] chest = new float[4];
        chest[0] = 1;
        float[] head = new float[4];
        head[1] = 1;
        var tier = new CohortPipeline.ImageTier(
                new ChestSeeingEncoder(4), Map.of(Anatomy.CHEST, chest, Anatomy.HEAD, head), 0.5);
        try (FileVectorCollections collections = new FileVectorCollections(collectionsDir, 16, 100)) {
            CohortPipeline pipeline = new CohortPipeline(
                    runs,
                    AnatomyClassifier.metadataOnly(),
                    new SeriesDescriptions(null),
                    embedder,
                    collections,
                    Projection.defaults(),
                    IndexKind.HNSW,
                    tier);
            var report = new DicomFolderScan(new DicomReader("salt".getBytes(StandardCharsets.UTF_8)), 2)
                    .scan(FILES.resolve("dicomdirtests"));
            pipeline.extractInstances("run-i", report.instances(), List.of());
            List<String> asked = new CopyOnWriteArrayList<>();
            List<CohortSeries> rows = pipeline.classify("run-i", CohortPipeline.Progress.NONE, location -> {
                asked.add(location);
                return Optional.of(new byte[] {1});
            });
            assertThat(rows)
                    .filteredOn(row -> "Scout".equals(row.series().seriesDescription()))
                    .singleElement()
                    .satisfies(row -> assertThat(row.anatomy())
                            .isEqualTo(new AnatomyCall(Anatomy.CHEST, AnatomyTier.IMAGE, "CHEST 1.000")));
            assertThat(rows)
                    .filteredOn(row -> "Routine Brain".equals(row.series().seriesDescription()))
                    .singleElement()
                    .satisfies(row -> assertThat(row.anatomy().tier()).isEqualTo(AnatomyTier.BODY_PART_EXAMINED));
            assertThat(asked)
                    .as("one slice per series the metadata could not place, from that series")
                    .hasSize((int) rows.stream()
                            .filter(row -> row.anatomy().tier() == AnatomyTier.IMAGE)
                            .count())
                    .allSatisfy(location -> assertThat(location).contains("dicomdirtests"));
            assertThat(pipeline.classify("run-i", CohortPipeline.Progress.NONE, null))
                    .as("without a renderer the tiers stop at the metadata")
                    .noneMatch(row -> row.anatomy().tier() == AnatomyTier.IMAGE);
        }
    }
}
