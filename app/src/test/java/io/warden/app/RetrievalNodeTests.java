package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.Retrieval;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.VectorRecord;
import io.warden.clinical.internal.HttpRetrieval;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A gateway's {@link HttpRetrieval} against this Warden acting as a retrieval node: the same answers as
 * the in-process service, the node's refusals with their codes, and no answer without the node's token.
 */
class RetrievalNodeTests extends IntegrationTest {

    @Autowired
    Retrieval local;

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    HttpRetrieval remote;

    @BeforeEach
    void collection() {
        remote = new HttpRetrieval(URI.create(client.base()), NODE_TOKEN, Duration.ofSeconds(10));
        List<String> texts = List.of(
                "venous leg ulcer with slough",
                "diabetic foot ulcer on the plantar surface",
                "sacral pressure injury stage 3",
                "venous ulcer medial malleolus",
                "neuropathic diabetic foot wound");
        List<String> labels = List.of("venous", "diabetic", "pressure", "venous", "diabetic");
        List<float[]> vectors = embedder.embed(texts);
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            records.add(new VectorRecord("w" + i, vectors.get(i), Map.of("label", labels.get(i))));
        }
        collections.replace("wound-types", IndexKind.FLAT, embedder.dimension(), records);
    }

    @Test
    void remoteAnswersAreTheLocalAnswers() {
        List<SearchHit> here = local.searchByText("wound-types", "ulcer on the foot of a diabetic", 3, Map.of());
        List<SearchHit> there = remote.searchByText("wound-types", "ulcer on the foot of a diabetic", 3, Map.of());
        assertThat(there)
                .extracting(SearchHit::id)
                .containsExactlyElementsOf(here.stream().map(SearchHit::id).toList());
        assertThat(there.getFirst().score()).isCloseTo(here.getFirst().score(), Offset.offset(1e-6f));
        assertThat(remote.classifyText("wound-types", "venous ulcer of the leg", 3, "label", true, Map.of())
                        .label())
                .isEqualTo("venous");
        assertThat(remote.status().collections())
                .anySatisfy(c -> assertThat(c.name()).isEqualTo("wound-types"));
    }

    @Test
    void theNodesRefusalsKeepTheirCodes() {
        assertThatThrownBy(() -> remote.searchByVector("wound-types", new float[3], 3, Map.of()))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("wrong-dimension"));
        assertThatThrownBy(() -> remote.searchByText("no-such-collection", "x", 3, Map.of()))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("unknown-collection"));
        assertThatThrownBy(() -> remote.searchByText("wound-types", "   ", 3, Map.of()))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("empty-text"));
    }

    @Test
    void withoutTheNodeTokenNothingIsAnswered() {
        HttpRetrieval stranger = new HttpRetrieval(URI.create(client.base()), "wrong-token", Duration.ofSeconds(10));
        assertThatThrownBy(() -> stranger.searchByText("wound-types", "ulcer", 3, Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("401");
        var agent = client.call(
                "POST",
                "/internal/retrieval/v1/search",
                agent(),
                "{\"collection\":\"wound-types\",\"text\":\"ulcer\",\"k\":3}");
        assertThat(agent.status())
                .as("an agent's token is not the node's token")
                .isEqualTo(401);
    }

    @Test
    void aNodeThatDoesNotAnswerInTimeFailsTheCall() {
        HttpRetrieval unreachable =
                new HttpRetrieval(URI.create("http://127.0.0.1:9"), NODE_TOKEN, Duration.ofMillis(500));
        assertThatThrownBy(() -> unreachable.searchByText("wound-types", "ulcer", 3, Map.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("retrieval node");
    }
}
