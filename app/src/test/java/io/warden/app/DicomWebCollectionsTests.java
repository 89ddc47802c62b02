package io.warden.app;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.clinical.dicom.DicomHeader;
import io.warden.clinical.dicom.DicomSource;
import io.warden.clinical.dicom.DicomWebSource;
import io.warden.clinical.dicom.Orthanc;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Collections built from a PACS through the real app: a real Orthanc with its DICOMweb plugin, loaded with pydicom's
 * files, is registered through the API as a DICOMWEB data source of a de-identified scope; its instances fill an IMAGE
 * collection with the frames Orthanc renders, its series a VOLUME collection, both embedded by the test's ONNX image
 * model, with labels by UID and a reason for each instance Orthanc cannot render; agents then find an instance by one of
 * Orthanc's rendered frames and a series by its DICOMweb UIDs through the gateway, and an agent without the scope is
 * refused. A source of a PHI scope cannot fill a de-identified collection, and an unknown source is named.
 */
class DicomWebCollectionsTests extends IntegrationTest {

    /**
     * Grey CT and MR images, a five-slice CT series, two colour images (the test's average-colour model tells them
     * apart from the grey ones and from each other) and a JPEG 2000 image that Orthanc stores but does not render.
     */
    static final List<String> UPLOADS = List.of(
            "CT_small.dcm",
            "MR_small.dcm",
            "JPEG2000.dcm",
            "ExplVR_BigEnd.dcm",
            "SC_rgb_small_odd.dcm",
            "dicomdirtests/98892001/CT5N/2062",
            "dicomdirtests/98892001/CT5N/2392",
            "dicomdirtests/98892001/CT5N/2693",
            "dicomdirtests/98892001/CT5N/3023",
            "dicomdirtests/98892001/CT5N/3353");

    static final ObjectMapper JSON = new ObjectMapper();

    static @Nullable Orthanc orthanc;
    /** What Orthanc holds, read over DICOMweb as Warden reads it. */
    static DicomSource.@Nullable Report held;

    static @Nullable DicomWebSource server;

    @BeforeAll
    static void startOrthanc() throws Exception {
        orthanc = Orthanc.start(CohortBuildTests.FIXTURES, UPLOADS, ORTHANC_PORT, ORTHANC_PASSWORD);
        server = orthanc.source(new byte[16], DicomWebSource.Settings.defaults());
        held = server.read();
    }

    @AfterAll
    static void stopOrthanc() throws Exception {
        if (orthanc != null) {
            orthanc.close();
            orthanc = null;
        }
    }

    /** The PACS as two data sources, registered as an admin does: one per scope (the app runs only once tests do). */
    @BeforeEach
    void sources() {
        dicomWebSource("pacs-ct", "test-orthanc", "imaging-ct-deid");
        dicomWebSource("pacs-derm", "test-orthanc-phi", "dermatology-phi");
    }

    static synchronized void dicomWebSource(String key, String server, String scope) {
        if (client.get("/api/v1/data-sources/" + key, admin()).status() == 404) {
            var created = client.call("POST", "/api/v1/data-sources", admin(), """
                    {"key":"%s","displayName":"PACS %s","kind":"DICOMWEB","location":"%s","scopeKey":"%s"}""".formatted(key, key, server, scope));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.json().get("kind").asString()).isEqualTo("DICOMWEB");
        }
    }

    /** Orthanc's own count of what it stores (its REST API, not DICOMweb): {@code CountInstances}, {@code CountSeries}. */
    static long orthancCount(String what) throws Exception {
        return JSON.readTree(requireNonNull(orthanc).get("/statistics"))
                .get(what)
                .asLong();
    }

    static DicomSource.Instance instance(String file) throws Exception {
        String sop = requireNonNull(CollectionImageBuildTests.header(file).sopInstanceUid());
        return requireNonNull(held).instances().stream()
                .filter(each -> sop.equals(each.header().sopInstanceUid()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(file + " is not in Orthanc"));
    }

    static void buildStartedNames(String collection, String dataSource) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<JsonNode> started = new ArrayList<>();
            for (JsonNode event : client.get(
                            "/api/v1/audit/events?action=collection.build_started&limit=100", compliance())
                    .json()
                    .get("items")) {
                if (collection.equals(event.path("target").path("id").asString(""))) {
                    started.add(event);
                }
            }
            assertThat(started).as("build_started of %s", collection).isNotEmpty();
            assertThat(started.getFirst().get("details").get("dataSource").asString())
                    .isEqualTo(dataSource);
            assertThat(started.getFirst().get("actor").get("type").asString()).isEqualTo("PERSON");
            assertThat(started.getFirst().get("dataset").asString()).isEqualTo("imaging-ct-deid");
        });
    }

    @Test
    void thePacsInstancesBecomeAnImageCollectionThatAnAgentSearchesWithOneOfOrthancsFrames() throws Exception {
        CollectionImageBuildTests.imageCollection("pacs-frames", "imaging-ct-deid", "IMAGE", TestImageModel.NAME);
        DicomHeader rgb = instance("ExplVR_BigEnd.dcm").header();
        DicomHeader ct5n = instance("dicomdirtests/98892001/CT5N/2062").header();
        String labels = CollectionsTests.upload(
                "pacs-frames",
                "application/x-ndjson",
                ("{\"uid\":\"" + rgb.sopInstanceUid() + "\",\"metadata\":{\"label\":\"rgb\"}}\n" + "{\"uid\":\""
                                + ct5n.seriesInstanceUid() + "\",\"metadata\":{\"label\":\"ct5n\"}}\n")
                        .getBytes(StandardCharsets.UTF_8));

        JsonNode version = CollectionImageBuildTests.build("pacs-frames", """
                {"format":"dicom-instances","dataSource":"pacs-ct","frames":"FIRST","labels":"%s"}""".formatted(labels));

        assertThat(version.get("state").asString()).as(version.toString()).isEqualTo("READY");
        assertThat(version.get("sourceKind").asString()).isEqualTo("dicom-instances");
        assertThat(version.get("total").asLong()).isEqualTo(orthancCount("CountInstances"));
        assertThat(version.get("total").asLong()).isEqualTo(UPLOADS.size());
        // Orthanc stores the JPEG 2000 image but cannot render it: refused with its location and the server's answer
        String jpeg2000 = instance("JPEG2000.dcm").location();
        assertThat(version.get("rejections")).as(version.toString()).hasSize(1);
        JsonNode rejection = version.get("rejections").get(0);
        assertThat(rejection.get("reference").asString()).isEqualTo(jpeg2000);
        assertThat(rejection.get("code").asString()).isEqualTo("not-rendered");
        assertThat(rejection.get("reason").asString()).isNotBlank();
        assertThat(version.get("accepted").asLong()).isEqualTo(UPLOADS.size() - 1L);
        buildStartedNames("pacs-frames", "pacs-ct");

        // the query: the frame Orthanc renders of the big-endian RGB image, as PNG
        byte[] png = requireNonNull(server)
                .renderedFrame(instance("ExplVR_BigEnd.dcm").location(), 1);
        assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
        String search = """
                {"collection":"pacs-frames","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","image":"%s","k":3}""".formatted(Base64.getEncoder().encodeToString(png));
        var agent = ToolBackendsEndToEndTests.agentGranted(List.of("image-search"));
        var found = client.call("POST", "/gateway/v1/image-search", agent.token(), search);
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.json().get("collectionVersion").asLong())
                .isEqualTo(version.get("version").asLong());
        JsonNode hits = found.json().get("hits");
        assertThat(hits.size()).isEqualTo(3);
        JsonNode first = hits.get(0);
        assertThat(first.get("id").asString()).as(found.body()).isEqualTo(rgb.sopInstanceUid());
        assertThat(first.get("score").asDouble()).isGreaterThan(0.999);
        assertThat(first.get("metadata").get("label").asString()).isEqualTo("rgb");
        assertThat(first.get("metadata").get("seriesInstanceUid").asString()).isEqualTo(rgb.seriesInstanceUid());
        Set<String> ids = new HashSet<>();
        for (JsonNode hit : hits) {
            assertThat(hit.get("id").asString()).isNotBlank();
            assertThat(hit.get("score").isNumber()).as(hit.toString()).isTrue();
            ids.add(hit.get("id").asString());
        }
        assertThat(ids).as("neighbours, each once").hasSize(3);
        assertThat(hits.get(1).get("score").asDouble())
                .isLessThan(first.get("score").asDouble());

        // a series-keyed label reaches every instance of the series: all nine items, as the search's neighbours
        var all = client.call("POST", "/gateway/v1/image-search", agent.token(), search.replace("\"k\":3", "\"k\":9"));
        assertThat(all.status()).as(all.body()).isEqualTo(200);
        long labelled = 0;
        for (JsonNode hit : all.json().get("hits")) {
            if (hit.get("metadata").get("seriesInstanceUid").asString().equals(ct5n.seriesInstanceUid())) {
                assertThat(hit.get("metadata").get("label").asString()).isEqualTo("ct5n");
                labelled++;
            }
        }
        assertThat(labelled).as(all.body()).isEqualTo(5);

        // an agent granted the tool on another scope is refused the collection's scope
        var outsider = ToolBackendsEndToEndTests.agentGranted(List.of("image-search"), "wound-images-deid");
        var refused = client.call("POST", "/gateway/v1/image-search", outsider.token(), search);
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.json().get("reasons").toString()).contains("SCOPE_NOT_GRANTED");
    }

    @Test
    void thePacsSeriesBecomeVolumesThatAnAgentFindsByTheirDicomWebUids() throws Exception {
        CollectionImageBuildTests.imageCollection("pacs-volumes", "imaging-ct-deid", "VOLUME", TestImageModel.NAME);
        DicomHeader rgb = instance("ExplVR_BigEnd.dcm").header();
        DicomHeader ct5n = instance("dicomdirtests/98892001/CT5N/2062").header();
        String labels = CollectionsTests.upload(
                "pacs-volumes",
                "application/x-ndjson",
                ("{\"uid\":\"" + ct5n.seriesInstanceUid() + "\",\"metadata\":{\"label\":\"ct5n\"}}\n")
                        .getBytes(StandardCharsets.UTF_8));

        JsonNode version = CollectionImageBuildTests.build("pacs-volumes", """
                {"format":"dicom-series","dataSource":"pacs-ct","labels":"%s"}""".formatted(labels));

        assertThat(version.get("state").asString()).as(version.toString()).isEqualTo("READY");
        assertThat(version.get("sourceKind").asString()).isEqualTo("dicom-series");
        assertThat(version.get("total").asLong()).as(version.toString()).isEqualTo(orthancCount("CountSeries"));
        // the JPEG 2000 image's series has nothing Orthanc renders
        assertThat(version.get("rejections")).as(version.toString()).hasSize(1);
        JsonNode rejection = version.get("rejections").get(0);
        assertThat(rejection.get("reference").asString())
                .contains(instance("JPEG2000.dcm").header().seriesInstanceUid());
        assertThat(rejection.get("code").asString()).isNotBlank();
        assertThat(rejection.get("reason").asString()).isNotBlank();
        assertThat(version.get("accepted").asLong()).isEqualTo(orthancCount("CountSeries") - 1);
        buildStartedNames("pacs-volumes", "pacs-ct");

        var agent = ToolBackendsEndToEndTests.agentGranted(List.of("volume-search"));
        var found = client.call("POST", "/gateway/v1/volume-search", agent.token(), """
                {"collection":"pacs-volumes","dataset":"imaging-ct-deid","purposeOfUse":"TREAT",
                 "series":{"source":"pacs-ct","studyUid":"%s","seriesUid":"%s"},"k":2}""".formatted(
                        rgb.studyInstanceUid(), rgb.seriesInstanceUid()));
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        assertThat(found.json().get("collectionVersion").asLong())
                .isEqualTo(version.get("version").asLong());
        JsonNode first = found.json().get("hits").get(0);
        assertThat(first.get("id").asString()).as(found.body()).isEqualTo(rgb.seriesInstanceUid());
        assertThat(first.get("score").asDouble()).isGreaterThan(0.999);
        assertThat(found.json().get("hits").get(1).get("score").asDouble()).isLessThan(0.999);

        var five = client.call("POST", "/gateway/v1/volume-search", agent.token(), """
                {"collection":"pacs-volumes","dataset":"imaging-ct-deid","purposeOfUse":"TREAT",
                 "series":{"source":"pacs-ct","studyUid":"%s","seriesUid":"%s"},"k":7}""".formatted(
                        ct5n.studyInstanceUid(), ct5n.seriesInstanceUid()));
        assertThat(five.status()).as(five.body()).isEqualTo(200);
        boolean seen = false;
        for (JsonNode hit : five.json().get("hits")) {
            if (hit.get("id").asString().equals(ct5n.seriesInstanceUid())) {
                seen = true;
                assertThat(hit.get("metadata").get("label").asString()).isEqualTo("ct5n");
                assertThat(hit.get("metadata").get("slices").asString()).isEqualTo("5");
            }
        }
        assertThat(seen).as(five.body()).isTrue();

        var outsider = ToolBackendsEndToEndTests.agentGranted(List.of("volume-search"), "wound-images-deid");
        var refused = client.call("POST", "/gateway/v1/volume-search", outsider.token(), """
                {"collection":"pacs-volumes","dataset":"imaging-ct-deid","purposeOfUse":"TREAT",
                 "series":{"source":"pacs-ct","studyUid":"%s","seriesUid":"%s"},"k":2}""".formatted(
                        rgb.studyInstanceUid(), rgb.seriesInstanceUid()));
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.json().get("reasons").toString()).contains("SCOPE_NOT_GRANTED");
    }

    @Test
    void aPacsOfAPhiScopeCannotFillADeidentifiedCollectionAndAnUnknownSourceIsNamed() {
        // a source of another scope: refused as one that is not there
        CollectionImageBuildTests.imageCollection("pacs-scoped", "imaging-ct-deid", "IMAGE", TestImageModel.NAME);
        CollectionImageBuildTests.refused(
                "pacs-scoped", "{\"format\":\"dicom-instances\",\"dataSource\":\"pacs-derm\"}", "dataSource");
        CollectionImageBuildTests.refused(
                "pacs-scoped", "{\"format\":\"dicom-instances\",\"dataSource\":\"no-such-pacs\"}", "dataSource");

        // a collection of the PHI scope marked de-identified: its own scope's PACS holds PHI, so it cannot fill it
        CollectionImageBuildTests.imageCollection("derm-deid", "dermatology-phi", "IMAGE", TestImageModel.NAME);
        var phi = client.call(
                "POST",
                "/api/v1/collections/derm-deid/builds",
                admin(),
                "{\"format\":\"dicom-instances\",\"dataSource\":\"pacs-derm\"}");
        assertThat(phi.status()).as(phi.body()).isEqualTo(400);
        assertThat(phi.json().get("field").asString()).isEqualTo("dataSource");
        assertThat(phi.json().get("detail").asString()).contains("protected health information");
        assertThat(client.get("/api/v1/collections/derm-deid/versions", admin())
                        .json()
                        .size())
                .as("nothing half-written")
                .isZero();

        // the same source fills a collection of its scope that does not claim to be de-identified
        var created = client.call("POST", "/api/v1/collections", admin(), """
                {"name":"derm-phi-frames","dataScope":"dermatology-phi","modality":"IMAGE","embeddingModel":"%s",
                 "dimension":3,"indexKind":"FLAT","deidentified":false}""".formatted(TestImageModel.NAME));
        assertThat(created.status()).as(created.body()).isIn(201, 409);
        var started = client.call(
                "POST",
                "/api/v1/collections/derm-phi-frames/builds",
                admin(),
                "{\"format\":\"dicom-instances\",\"dataSource\":\"pacs-derm\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);

        // a DICOMWEB source must name a configured server
        var unknownServer = client.call("POST", "/api/v1/data-sources", admin(), """
                {"key":"pacs-nowhere","displayName":"x","kind":"DICOMWEB","location":"http://127.0.0.1:%d/dicom-web","scopeKey":"imaging-ct-deid"}""".formatted(ORTHANC_PORT));
        assertThat(unknownServer.status()).as(unknownServer.body()).isEqualTo(400);
        assertThat(unknownServer.json().get("field").asString()).isEqualTo("location");
    }
}
