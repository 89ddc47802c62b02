package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.Retrieval;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.VectorRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The in-process retrieval service as the application wires it: the real MiniLM and real indexes. */
class RetrievalTests extends IntegrationTest {

    @Autowired
    Retrieval retrieval;

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @Test
    void searchesAndClassifiesSeriesDescriptionsByText() {
        List<String> descriptions = List.of(
                "CT chest axial lung window",
                "CT thorax with contrast, axial",
                "Chest CT pulmonary embolism protocol",
                "MRI brain axial T2 FLAIR",
                "Brain MRI sagittal T1",
                "MR head diffusion weighted imaging",
                "Knee MRI coronal proton density",
                "MRI knee sagittal");
        List<String> labels = List.of("chest", "chest", "chest", "brain", "brain", "brain", "knee", "knee");
        List<TextItem> items = new ArrayList<>();
        for (int i = 0; i < descriptions.size(); i++) {
            items.add(new TextItem(
                    "series-" + i, descriptions.get(i), Map.of("label", labels.get(i), "dataset", "imaging-ct-deid")));
        }
        List<VectorRecord> records = TextItem.records(embedder, items);
        assertThat(records)
                .extracting(VectorRecord::id)
                .containsExactly(
                        "series-0", "series-1", "series-2", "series-3", "series-4", "series-5", "series-6", "series-7");
        collections.replace("series-descriptions", IndexKind.HNSW, embedder.dimension(), records);

        var hits = retrieval.searchByText("series-descriptions", "CT chest axial", 3, Map.of());
        assertThat(hits).extracting(hit -> hit.metadata().get("label")).containsOnly("chest");
        assertThat(retrieval
                        .classifyText("series-descriptions", "head MRI", 3, "label", false, Map.of())
                        .label())
                .isEqualTo("brain");
        var status = retrieval.status();
        assertThat(status.dimension()).isEqualTo(384);
        assertThat(status.executionProvider()).isEqualTo("CPU");
        assertThat(status.collections()).anySatisfy(collection -> {
            assertThat(collection.name()).isEqualTo("series-descriptions");
            assertThat(collection.size()).isEqualTo(8);
        });
    }
}
