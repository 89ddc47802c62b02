package io.warden.cohort.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.Neighbours;
import io.warden.clinical.Retrieval;
import io.warden.clinical.SearchQuery;
import io.warden.clinical.Vote;
import io.warden.clinical.cohort.Anatomy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image tier's configuration: label embeddings read from their file, refused clearly when unusable. */
class ImageTierConfigurationTests {

    /** A retrieval service that has, or lacks, an image model; its searches are not used here. */
    record LocalModel(Optional<ImageEmbedder> image) implements Retrieval {

        @Override
        public Optional<ImageEmbedder> localImageEmbedder() {
            return image;
        }

        @Override
        public Neighbours search(String collection, SearchQuery query, int k, Map<String, String> filter) {
            throw new IllegalStateException("not searched in this test");
        }

        @Override
        public Vote classify(
                String collection,
                SearchQuery query,
                int k,
                String labelKey,
                boolean weighted,
                Map<String, String> filter) {
            throw new IllegalStateException("not searched in this test");
        }

        @Override
        public Status status() {
            throw new IllegalStateException("not asked in this test");
        }
    }

    static final ImageEmbedder TWO_D = new ImageEmbedder() {
        @Override
        public String modelName() {
            return "two-dimensional";
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public List<float[]> embedImages(List<byte[]> images) {
            return images.stream().map(image -> new float[] {1, 0}).toList();
        }
    };

    static CohortProperties properties(Path labels) {
        return new CohortProperties(
                Path.of("runs"),
                List.of(),
                "",
                0,
                Map.of(),
                Map.of(),
                null,
                new CohortProperties.ImageAnatomy(labels, 0.3));
    }

    @Test
    void readsTheLabelEmbeddingsByRegion(@TempDir Path folder) throws Exception {
        Path labels = Files.writeString(folder.resolve("labels.json"), "{\"CHEST\": [1, 0], \"HEAD\": [0, 1]}");
        var tier = CohortConfiguration.imageTier(properties(labels), new LocalModel(Optional.of(TWO_D)));
        assertThat(tier).isNotNull();
        assertThat(tier.labels()).containsOnlyKeys(Anatomy.CHEST, Anatomy.HEAD);
        assertThat(tier.labels().get(Anatomy.HEAD)).containsExactly(0f, 1f);
        assertThat(tier.minScore()).isEqualTo(0.3);
        assertThat(CohortConfiguration.imageTier(
                        new CohortProperties(Path.of("runs"), List.of(), "", 0, Map.of(), Map.of(), null, null),
                        new LocalModel(Optional.empty())))
                .as("off unless configured")
                .isNull();
    }

    @Test
    void refusesToStartWithoutAnImageModelOrWithAnUnknownRegion(@TempDir Path folder) throws Exception {
        Path labels = Files.writeString(folder.resolve("labels.json"), "{\"CHEST\": [1, 0]}");
        assertThatThrownBy(() -> CohortConfiguration.imageTier(properties(labels), new LocalModel(Optional.empty())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("warden.retrieval.image");
        Path unknown = Files.writeString(folder.resolve("unknown.json"), "{\"ELBOW\": [1, 0]}");
        assertThatThrownBy(() -> CohortConfiguration.imageTier(properties(unknown), new LocalModel(Optional.of(TWO_D))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown.json");
        assertThatThrownBy(() -> CohortConfiguration.imageTier(
                        properties(folder.resolve("missing.json")), new LocalModel(Optional.of(TWO_D))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("missing.json");
    }
}
