package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.Embedder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Evaluation on a labelled query set through the real app: an upload of the collection holding queries (texts embedded
 * with the collection's text model, or vectors of its dimension) each searched against the whole version, with the same
 * measures as the sample; the set's id and SHA-256 stored with the evaluation and audited; a bad line refuses the
 * whole set naming {@code querySet} and the line; a set and a sample are exclusive; only admins evaluate.
 */
class CollectionQuerySetTests extends IntegrationTest {

    @Autowired
    Embedder embedder;

    /** The upload's answer: its id and SHA-256. */
    static JsonNode upload(String collection, String body) {
        var response = client.send(client.request("/api/v1/collections/" + collection + "/uploads")
                .header("Authorization", "Bearer " + admin())
                .header("Content-Type", "application/x-ndjson")
                .header("Accept", "application/json, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8))));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    static String evaluations(String collection, long version) {
        return "/api/v1/collections/" + collection + "/versions/" + version + "/evaluations";
    }

    @Test
    void aTextQuerySetIsEmbeddedWithTheCollectionsModelSearchedAgainstTheWholeVersionAndAudited() {
        var created = client.call("POST", "/api/v1/collections", admin(), """
                {"name":"queryset-e2e","dataScope":"imaging-ct-deid","modality":"TEXT","embeddingModel":"%s",
                 "indexKind":"FLAT","deidentified":true,"labelField":"finding"}""".formatted(embedder.modelName()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String items = """
                {"id":"f1","text":"Consolidation in the right lower lobe","metadata":{"finding":"pneumonia"}}
                {"id":"f2","text":"Patchy airspace opacity in the left lung","metadata":{"finding":"pneumonia"}}
                {"id":"f3","text":"Fracture of the distal radius","metadata":{"finding":"fracture"}}
                {"id":"f4","text":"Displaced fracture of the femoral neck","metadata":{"finding":"fracture"}}
                """;
        String build = upload("queryset-e2e", items).get("id").asString();
        assertThat(client.call(
                                "POST",
                                "/api/v1/collections/queryset-e2e/builds",
                                admin(),
                                "{\"format\":\"text\",\"upload\":\"" + build + "\"}")
                        .status())
                .isEqualTo(202);
        assertThat(CollectionsTests.built("queryset-e2e", 1).get("state").asString())
                .isEqualTo("READY");

        // an item's own vector as a query finds the item itself: queries are not items, nothing is left out
        String own = Arrays.toString(
                embedder.embed(List.of("Fracture of the distal radius")).getFirst());
        String set = """
                {"id":"q1","text":"Consolidation in the right lower lobe","finding":"pneumonia"}
                {"id":"q2","text":"Displaced fracture of the femoral neck","metadata":{"finding":"fracture"}}

                {"id":"q3","vector":%s,"finding":"fracture"}
                """.formatted(own);
        JsonNode querySet = upload("queryset-e2e", set);
        var evaluated = client.call(
                "POST",
                evaluations("queryset-e2e", 1),
                admin(),
                "{\"k\":1,\"querySet\":\"" + querySet.get("id").asString() + "\"}");
        assertThat(evaluated.status()).as(evaluated.body()).isEqualTo(201);
        JsonNode result = evaluated.json().get("result");
        assertThat(result.get("queries").asInt()).isEqualTo(3);
        assertThat(result.get("top1Accuracy").asDouble())
                .as("each query is an item's own text or vector, and the item is not left out")
                .isEqualTo(1.0);
        assertThat(result.get("recallAtK").asDouble()).isEqualTo(1.0);
        assertThat(result.get("confusionMatrix").get("fracture").get("fracture").asInt())
                .isEqualTo(2);
        JsonNode settings = evaluated.json().get("settings");
        assertThat(settings.get("method").asString()).isEqualTo("labelled query set");
        assertThat(settings.get("querySet").asString())
                .isEqualTo(querySet.get("id").asString());
        assertThat(settings.get("querySetSha256").asString())
                .isEqualTo(querySet.get("sha256").asString());
        assertThat(settings.has("seed")).as("a query set has no sample").isFalse();

        JsonNode audited = null;
        for (JsonNode event : client.get("/api/v1/audit/events?action=collection.evaluated&limit=100", compliance())
                .json()
                .get("items")) {
            if ("queryset-e2e".equals(event.path("target").path("id").asString(""))) {
                audited = event;
            }
        }
        assertThat(audited).as("collection.evaluated for queryset-e2e").isNotNull();
        assertThat(audited.get("details").get("method").asString()).isEqualTo("labelled query set");
        assertThat(audited.get("details").get("querySet").asString())
                .isEqualTo(querySet.get("id").asString());
        assertThat(audited.get("details").get("evaluation").asString())
                .isEqualTo(evaluated.json().get("id").asString());
    }

    @Test
    void aVectorQuerySetIsRefusedWholeOnABadLineIsExclusiveWithASampleAndOnlyAdminsEvaluate() {
        var created = client.call("POST", "/api/v1/collections", admin(), """
                {"name":"queryset-vectors-e2e","dataScope":"wound-images-deid","modality":"IMAGE",
                 "embeddingModel":"test-encoder","indexKind":"HNSW","dimension":4,"deidentified":true,
                 "labelField":"wound"}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            boolean ulcer = i % 2 == 0;
            items.append("{\"id\":\"w%d\",\"vector\":[%s,%s,0.1,0],\"metadata\":{\"wound\":\"%s\"}}\n"
                    .formatted(i, ulcer ? "1" : "0.01", ulcer ? "0.01" : "1", ulcer ? "ulcer" : "burn"));
        }
        String build =
                upload("queryset-vectors-e2e", items.toString()).get("id").asString();
        assertThat(client.call(
                                "POST",
                                "/api/v1/collections/queryset-vectors-e2e/builds",
                                admin(),
                                "{\"format\":\"vectors-ndjson\",\"upload\":\"" + build + "\"}")
                        .status())
                .isEqualTo(202);
        assertThat(CollectionsTests.built("queryset-vectors-e2e", 1)
                        .get("state")
                        .asString())
                .isEqualTo("READY");
        String path = evaluations("queryset-vectors-e2e", 1);

        String good = """
                {"id":"q1","vector":[0.9,0.1,0,0],"wound":"ulcer"}
                {"id":"q2","vector":[0.1,0.9,0,0],"wound":"burn"}
                {"id":"q3","vector":[1,0,0.2,0],"wound":"ulcer"}
                {"id":"q4","vector":[0,2,0,0],"wound":"ulcer"}
                """;
        String set = upload("queryset-vectors-e2e", good).get("id").asString();
        var evaluated = client.call("POST", path, admin(), "{\"k\":3,\"querySet\":\"" + set + "\"}");
        assertThat(evaluated.status()).as(evaluated.body()).isEqualTo(201);
        JsonNode result = evaluated.json().get("result");
        assertThat(result.get("queries").asInt()).isEqualTo(4);
        assertThat(result.get("top1Accuracy").asDouble())
                .as("q4 points at the burns but is labelled ulcer")
                .isEqualTo(0.75);
        assertThat(result.get("confusionMatrix").get("ulcer").get("burn").asInt())
                .isEqualTo(1);

        record Bad(String lines, String saying) {}
        List<Bad> bad = List.of(
                new Bad(
                        "{\"id\":\"q1\",\"vector\":[1,0,0,0],\"wound\":\"ulcer\"}\n"
                                + "{\"id\":\"q2\",\"vector\":[1,0,0],\"wound\":\"ulcer\"}\n",
                        "line 2: the vector has 3"),
                new Bad("{\"id\":\"q1\",\"vector\":[1,0,0,0]}\n", "line 1 needs \"wound\""),
                new Bad("{\"id\":\"q1\",\"wound\":\"ulcer\"}\n", "line 1 needs either \"text\" or \"vector\""),
                new Bad("{\"id\":\"q1\",\"text\":\"a red ulcer\",\"wound\":\"ulcer\"}\n", "only TEXT collections"),
                new Bad(
                        "\n\n{\"id\":\"q1\",\"vector\":[1,0,0,0],\"wound\":\"ulcer\"}\nnot json\n",
                        "line 4 is not JSON"),
                new Bad("{\"id\":\"q1\",\"vector\":[0,0,0,0],\"wound\":\"ulcer\"}\n", "zero vector"));
        for (Bad each : bad) {
            String id = upload("queryset-vectors-e2e", each.lines()).get("id").asString();
            var refused = client.call("POST", path, admin(), "{\"querySet\":\"" + id + "\"}");
            assertThat(refused.status())
                    .as(each.lines() + " -> " + refused.body())
                    .isEqualTo(400);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.json().get("field").asString()).isEqualTo("querySet");
            assertThat(refused.json().get("detail").asString()).contains(each.saying());
        }

        for (String mixed :
                List.of("{\"querySet\":\"" + set + "\",\"queries\":10}", "{\"querySet\":\"" + set + "\",\"seed\":1}")) {
            var refused = client.call("POST", path, admin(), mixed);
            assertThat(refused.status()).as(mixed).isEqualTo(400);
            assertThat(refused.json().get("field").asString()).isEqualTo("querySet");
        }
        assertThat(client.call("POST", "/api/v1/collections", admin(), """
                        {"name":"queryset-other-e2e","dataScope":"wound-images-deid","modality":"IMAGE",
                         "embeddingModel":"test-encoder","indexKind":"FLAT","dimension":4,"deidentified":true}""").status())
                .isEqualTo(201);
        String another = upload("queryset-other-e2e", good).get("id").asString();
        for (String id : List.of(another, "no-such-upload")) {
            var refused = client.call("POST", path, admin(), "{\"querySet\":\"" + id + "\"}");
            assertThat(refused.status())
                    .as("an upload of another collection: %s", refused.body())
                    .isEqualTo(400);
            assertThat(refused.json().get("field").asString()).isEqualTo("querySet");
        }

        for (String token : List.of(compliance(), secops(), owner())) {
            assertThat(client.call("POST", path, token, "{\"querySet\":\"" + set + "\"}")
                            .status())
                    .as("only admins evaluate")
                    .isEqualTo(403);
        }
        assertThat(client.get(path, compliance()).json().size())
                .as("nothing stored by a refusal: the one evaluation of the good set")
                .isEqualTo(1);
    }
}
