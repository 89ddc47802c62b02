package io.warden.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.app.IntegrationTest;
import io.warden.clinical.Evaluation;
import io.warden.clinical.Retrieval;
import io.warden.clinical.SearchHit;
import io.warden.clinical.TextItem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A fresh start builds the demo collection from the shipped sentences, and the demo report classifier reads it
 * through the gateway. (That a restart builds nothing is in {@code RestartTests}.)
 */
class DemoCollectionTests extends IntegrationTest {

    private static final List<String> LABELS = List.of(
            "pneumothorax",
            "pleural-effusion",
            "consolidation",
            "cardiomegaly",
            "pulmonary-nodule",
            "fracture",
            "pulmonary-edema",
            "intracranial-hemorrhage",
            "normal");

    @Autowired
    Retrieval retrieval;

    @Autowired
    JdbcClient jdbc;

    @Test
    void theShippedSentencesAreLabelledWithAHeldOutFifthOfEachLabel() {
        List<TextItem> items = DemoCollection.items(DemoCollection.read());
        assertThat(items).hasSizeBetween(300, 400);
        assertThat(items.stream().map(TextItem::id).collect(Collectors.toSet())).hasSameSizeAs(items);
        assertThat(new HashSet<>(items.stream().map(TextItem::text).toList()))
                .as("no sentence twice")
                .hasSameSizeAs(items);
        assertThat(items).allSatisfy(item -> {
            assertThat(item.metadata().get("label")).isIn(LABELS);
            assertThat(item.metadata().get("modality")).isIn("CR", "CT", "MR", "US");
            assertThat(item.metadata().get("split")).isIn("train", "test");
            assertThat(item.metadata()).containsEntry("dataset", DemoCollection.DATA_SCOPE);
        });
        Map<String, Long> heldOut = new TreeMap<>(items.stream()
                .filter(item -> "test".equals(item.metadata().get("split")))
                .collect(Collectors.groupingBy(item -> item.metadata().get("label"), Collectors.counting())));
        assertThat(heldOut.keySet()).containsExactlyInAnyOrderElementsOf(LABELS);
        assertThat(heldOut.values()).allSatisfy(count -> assertThat(count).isGreaterThanOrEqualTo(5));
    }

    @Test
    void aFreshStartBuildsTheCollectionOnceAndRecordsWhatItWasBuiltFrom() {
        var status = retrieval.status().collections().stream()
                .filter(collection -> collection.name().equals(DemoCollection.NAME))
                .findFirst()
                .orElseThrow();
        int items = DemoCollection.items(DemoCollection.read()).size();
        assertThat(status.size()).isEqualTo(items);
        assertThat(status.dimension()).isEqualTo(384);
        var built = jdbc.sql("select collection_version, items from demo_collection where name = :name")
                .param("name", DemoCollection.NAME)
                .query((rs, row) -> List.of(rs.getLong(1), (long) rs.getInt(2)))
                .single();
        assertThat(built).containsExactly(status.version(), (long) items);
    }

    @Test
    void aPneumothoraxSentenceFindsPneumothoraxNeighboursFirstThroughTheGateway() {
        String agent = client.agentToken("demo-report-classifier", "demo-report-classifier-secret");
        var answer = client.call("POST", "/gateway/v1/text-search", agent, """
                {"collection":"demo-radiology-findings","dataset":"radiology-reports-deid","purposeOfUse":"TREAT",
                 "text":"Collapsed right lung with a visible pleural edge and no markings beyond it","k":5}""");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        List<String> labels = new ArrayList<>();
        for (JsonNode hit : answer.json().get("hits")) {
            labels.add(hit.get("metadata").get("label").asString());
            assertThat(hit.get("metadata").get("dataset").asString()).isEqualTo(DemoCollection.DATA_SCOPE);
        }
        assertThat(labels).hasSize(5);
        assertThat(labels.subList(0, 3)).containsOnly("pneumothorax");

        var elsewhere = client.call("POST", "/gateway/v1/text-search", agent, """
                {"collection":"demo-radiology-findings","dataset":"imaging-ct-deid","purposeOfUse":"TREAT",
                 "text":"pneumothorax","k":5}""");
        assertThat(elsewhere.status())
                .as("the agent holds only the demo data scope")
                .isEqualTo(403);
        assertThat(elsewhere.json().get("reasons").toString()).contains("SCOPE_NOT_GRANTED");
    }

    @Test
    void theHeldOutSentencesAreClassifiedByAVoteOverTheRest() {
        List<TextItem> heldOut = DemoCollection.items(DemoCollection.read()).stream()
                .filter(item -> "test".equals(item.metadata().get("split")))
                .toList();
        List<String> truth =
                heldOut.stream().map(item -> item.metadata().get("label")).toList();
        List<List<SearchHit>> results = heldOut.stream()
                .map(item -> retrieval.searchByText(DemoCollection.NAME, item.text(), 5, Map.of("split", "train")))
                .toList();
        assertThat(results)
                .allSatisfy(hits -> assertThat(hits)
                        .allSatisfy(hit -> assertThat(hit.metadata()).containsEntry("split", "train")));
        double top1 = Evaluation.majorityVoteAccuracy(truth, results, "label", 1);
        double top5 = Evaluation.majorityVoteAccuracy(truth, results, "label", 5);
        System.out.printf("demo collection held-out: top-1 %.3f, 5-NN vote %.3f over %d%n", top1, top5, truth.size());
        assertThat(top1).isGreaterThanOrEqualTo(0.8);
        assertThat(top5).isGreaterThanOrEqualTo(0.8);
    }
}
