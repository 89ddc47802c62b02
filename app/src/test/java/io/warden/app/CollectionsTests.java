package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.warden.bpmn.BpmnProcesses;
import io.warden.clinical.Embedder;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorCollections;
import io.warden.collections.GovernedCollections;
import io.warden.lifecycle.WorkflowEngine;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Governed collections through the real app: an admin creates a collection for a data scope, uploads text items and
 * builds a version through the {@code collection-build} process; the demo agent searches it through the gateway within
 * its data scope; an item is removed (a new version without it), the version is evaluated, the collection retired and
 * then refused; bad input is refused naming its field; precomputed vectors (NDJSON and {@code .npy} with labels) build
 * image collections; and a data scope's evaluation gate holds a RAG_CLASSIFIER's approval until a collection of the
 * scope is evaluated well enough.
 */
class CollectionsTests extends IntegrationTest {

    @Autowired
    Embedder embedder;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkflowEngine engine;

    @Autowired
    VectorCollections store;

    @Autowired
    GovernedCollections governed;

    static String upload(String collection, String contentType, byte[] body) {
        var response = client.send(client.request("/api/v1/collections/" + collection + "/uploads")
                .header("Authorization", "Bearer " + admin())
                .header("Content-Type", contentType)
                .header("Accept", "application/json, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json().get("id").asString();
    }

    static JsonNode built(String collection, long version) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var read = client.get("/api/v1/collections/" + collection + "/versions/" + version, admin());
            assertThat(read.status()).as(read.body()).isEqualTo(200);
            assertThat(read.json().get("state").asString()).isNotEqualTo("BUILDING");
        });
        return client.get("/api/v1/collections/" + collection + "/versions/" + version, admin())
                .json();
    }

    /** Every byte of the files in a folder, as Latin-1 text (so the strings an items file holds can be searched for). */
    static String onDisk(Path folder) throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(folder)) {
            for (Path file : files.toList()) {
                all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }

    static String search(String collection, String text) {
        return """
                {"collection":"%s","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"%s","k":5}""".formatted(collection, text);
    }

    @Test
    void aTextCollectionIsBuiltSearchedWithinItsScopeLosesAnItemIsEvaluatedAndRetired() throws IOException {
        var created = client.call("POST", "/api/v1/collections", admin(), """
                {"name":"findings-e2e","displayName":"Findings","dataScope":"imaging-ct-deid","modality":"TEXT",
                 "embeddingModel":"%s","indexKind":"FLAT","deidentified":true}""".formatted(embedder.modelName()));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("currentVersion").asLong()).isZero();
        assertThat(created.json().get("labelField").asString()).isEqualTo("label");

        String items = """
                {"id":"f1","text":"Consolidation in the right lower lobe","metadata":{"label":"pneumonia"}}
                {"id":"f2","text":"Patchy airspace opacity in the left lung","metadata":{"label":"pneumonia"}}
                this line is not json
                {"id":"f3","text":"Fracture of the distal radius","metadata":{"label":"fracture"}}
                {"id":"f4","text":"Displaced fracture of the femoral neck","metadata":{"label":"fracture"}}
                {"id":"f1","text":"A second item with the first id","metadata":{"label":"fracture"}}
                """;
        String upload = upload("findings-e2e", "application/x-ndjson", items.getBytes(StandardCharsets.UTF_8));
        var started = client.call(
                "POST",
                "/api/v1/collections/findings-e2e/builds",
                admin(),
                "{\"format\":\"text\",\"upload\":\"" + upload + "\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        assertThat(started.json().get("version").asLong()).isEqualTo(1);

        JsonNode version = built("findings-e2e", 1);
        assertThat(version.get("state").asString()).as(version.toString()).isEqualTo("READY");
        assertThat(version.get("accepted").asLong()).isEqualTo(4);
        assertThat(version.get("rejected").asLong()).isEqualTo(2);
        assertThat(version.get("rejections").findValuesAsString("code"))
                .containsExactly("invalid-json", "duplicate-id");
        assertThat(client.get("/api/v1/collections/findings-e2e", compliance())
                        .json()
                        .get("currentVersion")
                        .asLong())
                .isEqualTo(1);

        var found = client.call("POST", "/gateway/v1/text-search", agent(), search("findings-e2e", "lung infection"));
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.json().get("hits").get(0).get("metadata").get("label").asString())
                .isEqualTo("pneumonia");
        var unknown = client.call("POST", "/gateway/v1/text-search", agent(), search("no-such-collection", "lung"));
        assertThat(unknown.status()).isEqualTo(403);
        assertThat(unknown.json().get("reasons").toString()).contains("COLLECTION_UNKNOWN");

        var noReason = client.call("DELETE", "/api/v1/collections/findings-e2e/items/f1", admin(), "{}");
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.json().get("field").asString()).isEqualTo("reason");
        var removal = client.call(
                "DELETE",
                "/api/v1/collections/findings-e2e/items/f1",
                admin(),
                "{\"reason\":\"the patient withdrew consent\"}");
        assertThat(removal.status()).as(removal.body()).isEqualTo(202);
        assertThat(built("findings-e2e", 2).get("itemCount").asLong()).isEqualTo(3);
        var after = client.call("POST", "/gateway/v1/text-search", agent(), search("findings-e2e", "lung infection"));
        assertThat(after.json().get("hits").findValuesAsString("id")).containsExactlyInAnyOrder("f2", "f3", "f4");
        assertThat(client.get("/api/v1/collections/findings-e2e/versions", secops())
                        .json()
                        .findValuesAsString("state"))
                .containsExactly("READY", "SUPERSEDED");

        // the withdrawn item stays on disk in version 1 until that version is pruned; then only the row is left
        assertThat(onDisk(DATA.resolve("collection-builds/findings-e2e/v1/items")))
                .as("the withdrawn item's id, metadata and vector")
                .contains("\u0000\u0002f1");
        assertThat(governed.pruneBefore(Instant.now().plusSeconds(1))).isPositive();
        JsonNode pruned = client.get("/api/v1/collections/findings-e2e/versions/1", admin())
                .json();
        assertThat(pruned.get("state").asString()).isEqualTo("SUPERSEDED");
        assertThat(pruned.get("prunedAt").isNull()).as(pruned.toString()).isFalse();
        assertThat(DATA.resolve("collection-builds/findings-e2e/v1")).doesNotExist();
        assertThat(DATA.resolve("collections/findings-e2e/v1")).doesNotExist();
        assertThat(DATA.resolve("collections/findings-e2e/v2")).isDirectory();
        assertThat(governed.pruneBefore(Instant.now().plusSeconds(1)))
                .as("the version served now is never pruned, and a pruned one only once")
                .isZero();
        assertThat(client.call("POST", "/gateway/v1/text-search", agent(), search("findings-e2e", "lung infection"))
                        .json()
                        .get("hits")
                        .findValuesAsString("id"))
                .containsExactlyInAnyOrder("f2", "f3", "f4");
        assertThat(client.get("/api/v1/audit/events?action=collection.version_pruned&limit=100", compliance())
                        .body())
                .contains("findings-e2e");
        // and the upload that carried it, deleted by an admin with a reason
        String uploadPath = "/api/v1/collections/findings-e2e/uploads/" + upload;
        assertThat(client.call("DELETE", uploadPath, compliance(), "{\"reason\":\"withdrawal\"}")
                        .status())
                .isEqualTo(403);
        assertThat(client.call("DELETE", uploadPath, admin(), "{}")
                        .json()
                        .get("field")
                        .asString())
                .isEqualTo("reason");
        var deleted = client.call("DELETE", uploadPath, admin(), "{\"reason\":\"the patient withdrew consent\"}");
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
        assertThat(DATA.resolve("collection-builds/findings-e2e/uploads").resolve(upload))
                .doesNotExist();
        var rebuild = client.call(
                "POST",
                "/api/v1/collections/findings-e2e/builds",
                admin(),
                "{\"format\":\"text\",\"upload\":\"" + upload + "\"}");
        assertThat(rebuild.status()).isEqualTo(400);
        assertThat(rebuild.json().get("field").asString()).isEqualTo("upload");
        assertThat(client.call("DELETE", uploadPath, admin(), "{\"reason\":\"again\"}")
                        .status())
                .isEqualTo(400);
        assertThat(client.get("/api/v1/audit/events?action=collection.upload_deleted&limit=20", compliance())
                        .body())
                .contains(upload);

        var evaluation = client.call(
                "POST",
                "/api/v1/collections/findings-e2e/versions/2/evaluations",
                admin(),
                "{\"k\":1,\"queries\":10,\"seed\":7}");
        assertThat(evaluation.status()).as(evaluation.body()).isEqualTo(201);
        JsonNode result = evaluation.json().get("result");
        assertThat(result.get("queries").asInt()).isEqualTo(3);
        assertThat(result.get("top1Accuracy").asDouble()).isBetween(0.0, 1.0);
        assertThat(result.get("confusionMatrix").has("fracture")).isTrue();
        assertThat(client.get("/api/v1/collections/findings-e2e/versions/2/evaluations", compliance())
                        .json()
                        .size())
                .isEqualTo(1);
        var stale = client.call("POST", "/api/v1/collections/findings-e2e/versions/1/evaluations", admin(), "{}");
        assertThat(stale.status()).isEqualTo(409);

        var retired = client.call(
                "POST",
                "/api/v1/collections/findings-e2e/retire",
                admin(),
                "{\"reason\":\"replaced by a reviewed set\"}");
        assertThat(retired.status()).as(retired.body()).isEqualTo(200);
        var refused = client.call("POST", "/gateway/v1/text-search", agent(), search("findings-e2e", "lung infection"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("reasons").toString()).contains("COLLECTION_UNKNOWN");
        assertThat(client.call(
                                "POST",
                                "/api/v1/collections/findings-e2e/builds",
                                admin(),
                                "{\"format\":\"text\",\"upload\":\"" + upload + "\"}")
                        .status())
                .isEqualTo(409);

        var audited = client.get("/api/v1/audit/events?limit=200", compliance())
                .json()
                .get("items");
        List<String> actions = new ArrayList<>();
        audited.forEach(event -> {
            if ("findings-e2e".equals(event.path("target").path("id").asString(""))) {
                actions.add(event.get("action").asString());
            }
        });
        assertThat(actions)
                .contains(
                        "collection.created",
                        "collection.uploaded",
                        "collection.build_started",
                        "collection.version_published",
                        "collection.item_removal_started",
                        "collection.evaluated",
                        "collection.retired");
    }

    @Test
    void badInputIsRefusedNamingItsField() {
        String base = """
                {"name":"%s","dataScope":"%s","modality":"%s","embeddingModel":"%s","indexKind":"%s","deidentified":true%s}""";
        record Case(String body, String field) {}
        List<Case> cases = List.of(
                new Case(
                        base.formatted("Bad Name", "imaging-ct-deid", "TEXT", embedder.modelName(), "FLAT", ""),
                        "name"),
                new Case(
                        base.formatted("ok-1", "no-such-scope", "TEXT", embedder.modelName(), "FLAT", ""), "dataScope"),
                new Case(
                        base.formatted("ok-1", "imaging-ct-deid", "SOUND", embedder.modelName(), "FLAT", ""),
                        "modality"),
                new Case(
                        base.formatted("ok-1", "imaging-ct-deid", "TEXT", "another-model", "FLAT", ""),
                        "embeddingModel"),
                new Case(
                        base.formatted("ok-1", "imaging-ct-deid", "TEXT", embedder.modelName(), "IVF", ""),
                        "indexKind"),
                new Case(base.formatted("ok-1", "imaging-ct-deid", "IMAGE", "encoder", "FLAT", ""), "dimension"),
                new Case(
                        base.formatted(
                                "ok-1",
                                "imaging-ct-deid",
                                "TEXT",
                                embedder.modelName(),
                                "FLAT",
                                ",\"labelField\":\"1 x\""),
                        "labelField"));
        for (Case c : cases) {
            var response = client.call("POST", "/api/v1/collections", admin(), c.body());
            assertThat(response.status())
                    .as(c.body() + " -> " + response.body())
                    .isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("field").asString()).isEqualTo(c.field());
        }
        assertThat(client.get("/api/v1/collections/ok-1", admin()).status()).isEqualTo(404);
    }

    @Test
    void precomputedVectorsBuildImageCollectionsAndTheEvaluationGateHoldsAClassifiersApproval() {
        var created = client.call("POST", "/api/v1/collections", admin(), """
                {"name":"wounds-e2e","dataScope":"wound-images-deid","modality":"IMAGE","embeddingModel":"test-encoder",
                 "indexKind":"HNSW","dimension":4,"deidentified":true,"labelField":"wound"}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);

        // two well separated classes: every item's nearest other item has its label
        float[][] rows = new float[40][];
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < rows.length; i++) {
            boolean ulcer = i % 2 == 0;
            rows[i] = new float[] {ulcer ? 1 : 0.01f * i, ulcer ? 0.01f * i : 1, 0.1f, 0};
            labels.append("{\"id\":\"w%d\",\"metadata\":{\"wound\":\"%s\"}}\n".formatted(i, ulcer ? "ulcer" : "burn"));
        }
        String array = upload("wounds-e2e", "application/octet-stream", npy(rows));
        String labelFile =
                upload("wounds-e2e", "application/x-ndjson", labels.toString().getBytes(StandardCharsets.UTF_8));
        var missingLabels = client.call(
                "POST",
                "/api/v1/collections/wounds-e2e/builds",
                admin(),
                "{\"format\":\"vectors-npy\",\"upload\":\"" + array + "\"}");
        assertThat(missingLabels.status()).isEqualTo(400);
        assertThat(missingLabels.json().get("field").asString()).isEqualTo("labels");
        assertThat(client.call(
                                "POST",
                                "/api/v1/collections/wounds-e2e/builds",
                                admin(),
                                "{\"format\":\"vectors-npy\",\"upload\":\"%s\",\"labels\":\"%s\"}"
                                        .formatted(array, labelFile))
                        .status())
                .isEqualTo(202);
        JsonNode first = built("wounds-e2e", 1);
        assertThat(first.get("state").asString()).as(first.toString()).isEqualTo("READY");
        assertThat(first.get("itemCount").asLong()).isEqualTo(40);

        String vectors = """
                {"id":"v1","vector":[1,0,0,0],"metadata":{"wound":"ulcer"}}
                {"id":"v2","vector":[0,1,0],"metadata":{"wound":"burn"}}
                """;
        String ndjson = upload("wounds-e2e", "application/x-ndjson", vectors.getBytes(StandardCharsets.UTF_8));
        assertThat(client.call(
                                "POST",
                                "/api/v1/collections/wounds-e2e/builds",
                                admin(),
                                "{\"format\":\"text\",\"upload\":\"" + ndjson + "\"}")
                        .json()
                        .get("field")
                        .asString())
                .as("text items fill text collections only")
                .isEqualTo("format");
        var next = client.call(
                "POST",
                "/api/v1/collections/wounds-e2e/builds",
                admin(),
                "{\"format\":\"vectors-ndjson\",\"upload\":\"" + ndjson + "\"}");
        assertThat(next.status())
                .as("a build may start as soon as the one before it is READY: %s", next.body())
                .isEqualTo(202);
        JsonNode second = built("wounds-e2e", 2);
        assertThat(second.get("accepted").asLong()).isEqualTo(1);
        assertThat(second.get("rejections").get(0).get("code").asString()).isEqualTo("wrong-dimension");

        // the gate: a classifier on wound-images-deid waits for an evaluation of at least 0.9 Top-1 accuracy
        assertThat(client.call("PUT", "/api/v1/collection-gates/wound-images-deid", admin(), "{\"minTop1\":0.9}")
                        .status())
                .isEqualTo(200);
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"gated-wound-classifier","kind":"RAG_CLASSIFIER","purpose":"Classifies wounds by k-NN vote",
                 "dataScopes":["wound-images-deid"],"tools":["classify"]}""");
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String agentId = registered.json().get("id").asString();
        String approval = client.get("/api/v1/approvals?status=PENDING&agentId=" + agentId, admin())
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();
        var held = client.call("POST", "/api/v1/approvals/" + approval + "/approve", admin(), "{\"reason\":\"ok\"}");
        assertThat(held.status()).as(held.body()).isEqualTo(409);
        assertThat(held.json().get("code").asString()).isEqualTo("evaluation-required");

        // version 2 holds one item: rebuild the 40, evaluate them, and the approval goes through
        client.call(
                "POST",
                "/api/v1/collections/wounds-e2e/builds",
                admin(),
                "{\"format\":\"vectors-npy\",\"upload\":\"%s\",\"labels\":\"%s\"}".formatted(array, labelFile));
        assertThat(built("wounds-e2e", 3).get("state").asString()).isEqualTo("READY");
        var evaluation = client.call(
                "POST", "/api/v1/collections/wounds-e2e/versions/3/evaluations", admin(), "{\"k\":3,\"queries\":40}");
        assertThat(evaluation.status()).as(evaluation.body()).isEqualTo(201);
        assertThat(evaluation.json().get("result").get("top1Accuracy").asDouble())
                .isEqualTo(1.0);
        assertThat(evaluation.json().get("result").get("recallAtK").asDouble()).isGreaterThan(0.9);
        var approved =
                client.call("POST", "/api/v1/approvals/" + approval + "/approve", admin(), "{\"reason\":\"ok\"}");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        client.call("PUT", "/api/v1/collection-gates/wound-images-deid", admin(), "{\"minTop1\":null}");
    }

    /**
     * The collection's BUILDING version is the build lock: a version whose build process is gone (an engine's state
     * lost) is marked FAILED when the next build starts instead of blocking it, and the database holds one BUILDING
     * version per collection whatever the callers race.
     */
    @Test
    void aBuildWhoseProcessIsGoneDoesNotBlockTheNextAndOnlyOneVersionBuildsAtATime() {
        var created = client.call("POST", "/api/v1/collections", admin(), """
                {"name":"orphan-build-e2e","dataScope":"wound-images-deid","modality":"IMAGE",
                 "embeddingModel":"test-encoder","indexKind":"FLAT","dimension":2,"deidentified":true}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        jdbc.sql("""
                insert into collection_version (collection, version, state, source_kind, source, storage_path,
                    created_by, created_at)
                values ('orphan-build-e2e', 1, 'BUILDING', 'vectors-ndjson', '{}', 'orphan-build-e2e/v1', 'test', now())""").update();
        assertThat(catchThrowable(() -> jdbc.sql("""
                        insert into collection_version (collection, version, state, source_kind, source, storage_path,
                            created_by, created_at)
                        values ('orphan-build-e2e', 2, 'BUILDING', 'vectors-ndjson', '{}', 'orphan-build-e2e/v2',
                            'test', now())""").update()))
                .as("a second BUILDING version of one collection")
                .isNotNull();

        String upload = upload(
                "orphan-build-e2e",
                "application/x-ndjson",
                "{\"id\":\"o1\",\"vector\":[1,0]}\n".getBytes(StandardCharsets.UTF_8));
        var started = client.call(
                "POST",
                "/api/v1/collections/orphan-build-e2e/builds",
                admin(),
                "{\"format\":\"vectors-ndjson\",\"upload\":\"" + upload + "\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        assertThat(started.json().get("version").asLong()).isEqualTo(2);
        JsonNode orphan = client.get("/api/v1/collections/orphan-build-e2e/versions/1", admin())
                .json();
        assertThat(orphan.get("state").asString()).isEqualTo("FAILED");
        assertThat(orphan.get("error").asString()).contains("process is gone");
        assertThat(built("orphan-build-e2e", 2).get("state").asString()).isEqualTo("READY");
    }

    /**
     * A build whose instance stopped after committing positions 0 to 2 (and writing, but not committing, 3 to 5)
     * resumes on another: the committed batch is kept as written, the uncommitted one is read again from the input.
     */
    @Test
    void aStoppedBuildResumesAfterItsLastCommittedPosition() throws Exception {
        var created = client.call("POST", "/api/v1/collections", admin(), """
                {"name":"resume-e2e","dataScope":"wound-images-deid","modality":"IMAGE","embeddingModel":"test-encoder",
                 "indexKind":"FLAT","dimension":2,"deidentified":true}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            lines.append("{\"id\":\"r%d\",\"vector\":[1,%d]}\n".formatted(i, i));
        }
        String upload =
                upload("resume-e2e", "application/x-ndjson", lines.toString().getBytes(StandardCharsets.UTF_8));
        jdbc.sql("""
                insert into collection_version (collection, version, state, source_kind, source, storage_path, total,
                    processed, accepted, committed_position, created_by, created_at)
                values ('resume-e2e', 1, 'BUILDING', 'vectors-ndjson', ?, 'resume-e2e/v1', 6, 3, 3, 2, 'test', now())""").param("{\"upload\":\"" + upload + "\"}").update();
        Path items = DATA.resolve("collection-builds/resume-e2e/v1/items");
        Files.createDirectories(items);
        writeBatch(items.resolve("batch-0-2.items"), List.of("r0", "r1", "r2"), "first-run");
        writeBatch(items.resolve("batch-3-5.items"), List.of("ghost"), "uncommitted");

        assertThat(engine.start(
                        BpmnProcesses.COLLECTION_BUILD,
                        "collection:resume-e2e:v1",
                        Map.of("collection", "resume-e2e", "version", 1L)))
                .isTrue();
        JsonNode version = built("resume-e2e", 1);
        assertThat(version.get("state").asString()).as(version.toString()).isEqualTo("READY");
        assertThat(version.get("processed").asLong()).isEqualTo(6);
        assertThat(version.get("itemCount").asLong()).isEqualTo(6);
        List<SearchHit> hits = store.search("resume-e2e", new float[] {1, 0}, 10, Map.of());
        assertThat(hits).extracting(SearchHit::id).containsExactlyInAnyOrder("r0", "r1", "r2", "r3", "r4", "r5");
        assertThat(hits)
                .filteredOn(hit -> "first-run".equals(hit.metadata().get("run")))
                .extracting(SearchHit::id)
                .as("the committed batch is not read again")
                .containsExactlyInAnyOrder("r0", "r1", "r2");
    }

    /** A batch file as a build writes it (items format 1). */
    static void writeBatch(Path file, List<String> ids, String run) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(0x57434931);
            for (String id : ids) {
                out.writeUTF(id);
                out.writeInt(2);
                out.writeUTF("run");
                out.writeUTF(run);
                out.writeUTF("dataset");
                out.writeUTF("wound-images-deid");
                out.writeInt(2);
                out.writeFloat(0.70710677f);
                out.writeFloat(0.70710677f);
            }
        }
    }

    static byte[] npy(float[][] rows) {
        String header = String.format(
                Locale.ROOT,
                "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }",
                rows.length,
                rows[0].length);
        int padding = (64 - (10 + header.length() + 1) % 64) % 64;
        header = header + " ".repeat(padding) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(10 + header.length() + rows.length * rows[0].length * 4)
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        buffer.putShort((short) header.length());
        buffer.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float[] row : rows) {
            for (float value : row) {
                buffer.putFloat(value);
            }
        }
        return buffer.array();
    }
}
