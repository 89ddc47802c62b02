package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.Embedder;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.Neighbours;
import io.warden.clinical.Retrieval;
import io.warden.clinical.SearchQuery;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.VectorRecord;
import io.warden.clinical.Vote;
import io.warden.clinical.dicom.DicomReader;
import io.warden.clinical.ingest.ImageLimits;
import io.warden.clinical.ingest.VolumeEncoder;
import io.warden.clinical.internal.HttpRetrieval;
import io.warden.policy.internal.BuiltinTools;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Through the real app, as the wound classifier agent: {@code classify} is a k-NN vote by text (the shipped MiniLM)
 * or by image (an ONNX encoder built in the test) on the collection's label field, {@code image-search} takes an
 * image, every answer carries its evidence (neighbour ids and scores, collection and version) over REST and over the
 * tool edge MCP shares; uploads that are not base64 or too large are problems naming the field; a retrieval node
 * answers image votes with the version it searched.
 */
class BuiltinToolsTests extends IntegrationTest {

    static final String DATASET = "wound-images-deid";

    @Autowired
    Embedder embedder;

    @Autowired
    Retrieval retrieval;

    @Autowired
    VectorCollections collections;

    static String woundAgent() {
        return client.agentToken("demo-wound-classifier", "demo-wound-classifier-secret");
    }

    @BeforeEach
    void collections() {
        List<String> notes = List.of(
                "venous leg ulcer with slough above the medial malleolus",
                "venous ulcer of the lower leg with oedema",
                "chronic venous insufficiency ulcer on the shin",
                "diabetic foot ulcer on the plantar surface of the forefoot",
                "neuropathic ulcer under the big toe of a diabetic patient",
                "diabetic foot wound over the metatarsal head",
                "sacral pressure injury stage 3",
                "heel pressure sore in a bedbound patient");
        List<String> wounds =
                List.of("venous", "venous", "venous", "diabetic", "diabetic", "diabetic", "pressure", "pressure");
        List<TextItem> items = new ArrayList<>();
        for (int i = 0; i < notes.size(); i++) {
            items.add(new TextItem("note-" + i, notes.get(i), Map.of("dataset", DATASET, "wound", wounds.get(i))));
        }
        collections.replace("wound-notes", IndexKind.FLAT, embedder.dimension(), TextItem.records(embedder, items));
        governedCollection("wound-notes", DATASET, "TEXT", embedder.modelName(), "wound", 0);

        ImageEmbedder images = retrieval.localImageEmbedder().orElseThrow();
        List<Color> colours =
                List.of(new Color(200, 30, 30), new Color(220, 40, 20), new Color(180, 20, 40), Color.BLUE, Color.CYAN);
        List<String> labels = List.of("infected", "infected", "infected", "clean", "clean");
        List<float[]> vectors = images.embedImages(
                colours.stream().map(colour -> solid(colour, 16)).toList());
        List<VectorRecord> records = new ArrayList<>();
        for (int i = 0; i < colours.size(); i++) {
            records.add(
                    new VectorRecord("photo-" + i, vectors.get(i), Map.of("dataset", DATASET, "label", labels.get(i))));
        }
        collections.replace("wound-photos", IndexKind.FLAT, images.dimension(), records);
        governedCollection("wound-photos", DATASET, "IMAGE", TestImageModel.NAME, "label", images.dimension());
        // the same vectors, catalogued as built with another model: embedding a query with this one would be
        // meaningless
        collections.replace("wound-photos-mii", IndexKind.FLAT, images.dimension(), records);
        governedCollection("wound-photos-mii", DATASET, "IMAGE", "MedImageInsight", "label", images.dimension());
    }

    long version(String collection) {
        return collections.find(collection).orElseThrow().version();
    }

    /**
     * volume-search end to end on real DICOM: an uploaded series (pydicom's big-endian RGB ExplVR_BigEnd) is decoded
     * here, each slice embedded by the image model and aggregated, and the nearest volume is the one built from that
     * same series, not the one built from a 16-bit grey MR; a DICOMweb series of a source not registered in the call's data scope is refused.
     */
    @Test
    void volumeSearchDecodesAnUploadedSeriesAndFindsTheVolumeBuiltFromIt() throws IOException {
        ImageEmbedder images = retrieval.localImageEmbedder().orElseThrow();
        VolumeEncoder encoder = new VolumeEncoder(
                images, new DicomReader(new byte[16]), VolumeEncoder.defaultAggregation(), ImageLimits.defaults());
        byte[] mr = Files.readAllBytes(CohortBuildTests.FIXTURES.resolve("MR_small.dcm"));
        byte[] rgb = Files.readAllBytes(CohortBuildTests.FIXTURES.resolve("ExplVR_BigEnd.dcm"));
        String scope = "imaging-ct-deid";
        collections.replace(
                "ct-volumes",
                IndexKind.FLAT,
                images.dimension(),
                List.of(
                        new VectorRecord(
                                "vol-mr", encoder.fromUploads(List.of(mr)).vector(), Map.of("dataset", scope)),
                        new VectorRecord(
                                "vol-rgb", encoder.fromUploads(List.of(rgb)).vector(), Map.of("dataset", scope))));
        governedCollection("ct-volumes", scope, "VOLUME", TestImageModel.NAME, "label", images.dimension());
        var agent = ToolBackendsEndToEndTests.agentGranted(List.of("volume-search"));

        var found = client.call("POST", "/gateway/v1/volume-search", agent.token(), """
                {"collection":"ct-volumes","dataset":"%s","purposeOfUse":"TREAT",
                 "series":{"instances":["%s"]},"k":2}""".formatted(
                        scope, Base64.getEncoder().encodeToString(mr)));
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.json().get("hits").get(0).get("id").asString()).isEqualTo("vol-mr");
        assertThat(found.json().get("hits").get(0).get("score").asDouble()).isGreaterThan(0.999);
        assertThat(found.json().get("collectionVersion").asLong()).isEqualTo(version("ct-volumes"));

        var elsewhere = client.call("POST", "/gateway/v1/volume-search", agent.token(), """
                {"collection":"ct-volumes","dataset":"%s","purposeOfUse":"TREAT",
                 "series":{"source":"no-such-source","studyUid":"1.2.3","seriesUid":"1.2.3.4"},"k":2}""".formatted(scope));
        assertThat(elsewhere.status()).as(elsewhere.body()).isEqualTo(400);
        assertThat(elsewhere.json().get("reasons").toString())
                .as(elsewhere.body())
                .contains("source-not-in-scope");

        var compressed = client.call("POST", "/gateway/v1/volume-search", agent.token(), """
                {"collection":"ct-volumes","dataset":"%s","purposeOfUse":"TREAT","series":{"instances":["%s"]},"k":2}""".formatted(
                scope,
                Base64.getEncoder()
                        .encodeToString(Files.readAllBytes(CohortBuildTests.FIXTURES.resolve("JPEG2000.dcm")))));
        assertThat(compressed.status()).as(compressed.body()).isEqualTo(400);
        assertThat(compressed.json().get("reasons").toString())
                .as(compressed.body())
                .contains("compressed-transfer-syntax");
    }

    @Test
    void classifyByTextVotesOnTheLabelFieldAndCarriesTheEvidenceOverRestAndTheToolEdge() {
        var rest = client.call("POST", "/gateway/v1/classify", woundAgent(), """
                {"collection":"wound-notes","dataset":"%s","purposeOfUse":"TREAT",
                 "text":"ulcer on the sole of the foot of a patient with diabetes","k":3}""".formatted(DATASET));
        assertThat(rest.status()).as(rest.body()).isEqualTo(200);
        JsonNode answer = rest.json();
        assertThat(answer.get("label").asString()).isEqualTo("diabetic");
        assertThat(answer.get("classification").get("labelField").asString()).isEqualTo("wound");
        assertThat(answer.get("classification")
                        .get("labels")
                        .get(0)
                        .get("label")
                        .asString())
                .isEqualTo("diabetic");
        assertThat(answer.get("classification")
                        .get("labels")
                        .get(0)
                        .get("votes")
                        .asDouble())
                .isGreaterThanOrEqualTo(2.0);
        assertThat(answer.get("collection").asString()).isEqualTo("wound-notes");
        assertThat(answer.get("collectionVersion").asLong()).isEqualTo(version("wound-notes"));
        assertThat(answer.get("hits")).hasSize(3).allSatisfy(hit -> {
            assertThat(hit.get("id").asString()).startsWith("note-");
            assertThat(hit.get("score").asDouble()).isPositive();
            assertThat(hit.get("metadata").has("wound")).isTrue();
        });

        var tool = client.call("POST", "/gateway/v1/tools/classify", woundAgent(), """
                {"arguments":{"collection":"wound-notes","text":"venous ulcer of the leg","k":3,"weighted":true},
                 "dataset":"%s","purposeOfUse":"TREAT"}""".formatted(DATASET));
        assertThat(tool.status()).as(tool.body()).isEqualTo(200);
        JsonNode structured = tool.json().get("structured");
        assertThat(structured.get("label").asString()).isEqualTo("venous");
        assertThat(structured.get("classification").get("weighted").asBoolean()).isTrue();
        assertThat(structured.get("collection").asString()).isEqualTo("wound-notes");
        assertThat(structured.get("collectionVersion").asLong()).isEqualTo(version("wound-notes"));
        assertThat(structured.get("hits").get(0).get("id").asString()).startsWith("note-");
        assertThat(tool.json().get("content").get(0).get("text").asString()).contains("Label venous");
    }

    @Test
    void classifyAndImageSearchTakeAnImageEmbeddedWithTheCollectionsModel() {
        String reddish = base64(solid(new Color(210, 35, 30), 24));
        var classified = client.call("POST", "/gateway/v1/classify", woundAgent(), """
                {"collection":"wound-photos","dataset":"%s","purposeOfUse":"TREAT","image":"%s","k":3}""".formatted(DATASET, reddish));
        assertThat(classified.status()).as(classified.body()).isEqualTo(200);
        assertThat(classified.json().get("label").asString()).isEqualTo("infected");
        assertThat(classified.json().get("collectionVersion").asLong()).isEqualTo(version("wound-photos"));

        var searched = client.call("POST", "/gateway/v1/tools/image-search", woundAgent(), """
                {"arguments":{"collection":"wound-photos","image":"%s","k":2},"dataset":"%s","purposeOfUse":"TREAT"}""".formatted(
                        base64(solid(Color.BLUE, 8)), DATASET));
        assertThat(searched.status()).as(searched.body()).isEqualTo(200);
        assertThat(searched.json()
                        .get("structured")
                        .get("hits")
                        .get(0)
                        .get("id")
                        .asString())
                .isEqualTo("photo-3");
        assertThat(searched.json()
                        .get("structured")
                        .get("hits")
                        .get(0)
                        .get("score")
                        .asDouble())
                .isGreaterThan(0.99);

        var otherModel = client.call("POST", "/gateway/v1/image-search", woundAgent(), """
                {"collection":"wound-photos-mii","dataset":"%s","purposeOfUse":"TREAT","image":"%s","k":2}""".formatted(DATASET, reddish));
        assertThat(otherModel.status()).as(otherModel.body()).isEqualTo(400);
        assertThat(otherModel.json().get("reasons").toString()).contains("wrong-image-model");

        var textCollection =
                client.call("POST", "/gateway/v1/image-search", woundAgent(), """
                {"collection":"wound-notes","dataset":"%s","purposeOfUse":"TREAT","image":"%s","k":2}""".formatted(DATASET, reddish));
        assertThat(textCollection.status()).as(textCollection.body()).isEqualTo(400);
        assertThat(textCollection.json().get("reasons").toString()).contains("wrong-modality");
    }

    @Test
    void uploadsThatAreNotBase64OrTooLargeAreProblemsNamingTheField() {
        var notBase64 = client.call("POST", "/gateway/v1/classify", woundAgent(), """
                {"collection":"wound-photos","dataset":"%s","purposeOfUse":"TREAT","image":"not base64 at all!","k":3}""".formatted(DATASET));
        assertThat(notBase64.status()).as(notBase64.body()).isEqualTo(400);
        assertThat(notBase64.contentType()).startsWith("application/problem+json");
        assertThat(notBase64.json().get("field").asString()).isEqualTo("image");

        String tooLarge = "A".repeat(BuiltinTools.MAX_IMAGE_CHARS + 4);
        var rest = client.call("POST", "/gateway/v1/image-search", woundAgent(), """
                {"collection":"wound-photos","dataset":"%s","purposeOfUse":"TREAT","image":"%s","k":3}""".formatted(DATASET, tooLarge));
        assertThat(rest.status()).as(rest.body()).isEqualTo(400);
        assertThat(rest.body()).contains("image");

        var tool =
                client.call("POST", "/gateway/v1/tools/image-search", woundAgent(), """
                {"arguments":{"collection":"wound-photos","image":"%s"},"dataset":"%s","purposeOfUse":"TREAT"}""".formatted(tooLarge, DATASET));
        assertThat(tool.status()).as(tool.body()).isEqualTo(400);
        assertThat(tool.json().get("field").asString()).isEqualTo("image");
        assertThat(tool.json().get("reasons").toString()).contains("upload-too-large");

        var badInstance = client.call(
                "POST", "/gateway/v1/volume-search", woundAgent(), """
                {"collection":"wound-photos","dataset":"%s","purposeOfUse":"TREAT","series":{"instances":["%s","%%%%"]},"k":3}""".formatted(DATASET, base64(solid(Color.RED, 8))));
        assertThat(badInstance.status()).as(badInstance.body()).isEqualTo(400);
        assertThat(badInstance.json().get("field").asString()).isEqualTo("series.instances[1]");

        var noQuery = client.call("POST", "/gateway/v1/classify", woundAgent(), """
                {"collection":"wound-photos","dataset":"%s","purposeOfUse":"TREAT","k":3}""".formatted(DATASET));
        assertThat(noQuery.status()).as(noQuery.body()).isEqualTo(400);
        assertThat(noQuery.json().get("field").asString()).isEqualTo("text");
    }

    @Test
    void aRetrievalNodeVotesOnAnImageAndSaysWhichVersionItSearched() {
        HttpRetrieval node = new HttpRetrieval(URI.create(client.base()), NODE_TOKEN, Duration.ofSeconds(10));
        byte[] reddish = solid(new Color(210, 35, 30), 24);
        Vote vote = node.classify(
                "wound-photos", new SearchQuery.Image(reddish, TestImageModel.NAME), 3, "label", false, Map.of());
        assertThat(vote.classification().label()).isEqualTo("infected");
        assertThat(vote.neighbours().version()).isEqualTo(version("wound-photos"));
        Neighbours found = node.search("wound-notes", new SearchQuery.Text("heel pressure sore"), 2, Map.of());
        assertThat(found.version()).isEqualTo(version("wound-notes"));
        assertThat(found.hits().getFirst().metadata()).containsEntry("wound", "pressure");
        assertThatThrownBy(() -> node.classify(
                        "wound-photos", new SearchQuery.Image(reddish, "MedImageInsight"), 3, "label", false, Map.of()))
                .hasMessageContaining("MedImageInsight");
    }

    static byte[] solid(Color colour, int size) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        var graphics = image.createGraphics();
        graphics.setColor(colour);
        graphics.fillRect(0, 0, size, size);
        graphics.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
