package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.dicom.DicomHeader;
import io.warden.clinical.dicom.DicomReader;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Image and DICOM inputs of collection builds through the real app: a ZIP of PNG images with its labels, embedded by
 * the test's ONNX image model, whose hostile and bad entries are refused one by one; the instances of pydicom's files
 * in a registered FOLDER data source, decoded here, with the compressed ones refused naming their transfer syntax; the
 * same files' series as volumes; and a data source of another data scope, a wrong image model and unusable ZIPs
 * refused naming their field.
 */
class CollectionImageBuildTests extends IntegrationTest {

    static final Path ARCHIVE = DATA.resolve("archives/collection-dicom");
    static final Path OTHER_ARCHIVE = DATA.resolve("archives/collection-dicom-wounds");
    static final List<String> FILES =
            List.of("CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "ExplVR_BigEnd.dcm", "README.txt");

    @BeforeAll
    static void archive() throws IOException {
        for (Path folder : List.of(ARCHIVE, OTHER_ARCHIVE)) {
            Files.createDirectories(folder);
            for (String file : FILES) {
                if (!Files.exists(folder.resolve(file))) {
                    Files.copy(CohortBuildTests.FIXTURES.resolve(file), folder.resolve(file));
                }
            }
        }
    }

    /** The two folders as data sources, one per scope (the app runs only once the tests do). */
    @BeforeEach
    void sources() {
        CohortBuildTests.source("collection-dicom", ARCHIVE, "imaging-ct-deid");
        CohortBuildTests.source("collection-dicom-wounds", OTHER_ARCHIVE, "wound-images-deid");
    }

    static void imageCollection(String name, String scope, String modality, String model) {
        var created = client.call("POST", "/api/v1/collections", admin(), """
                {"name":"%s","dataScope":"%s","modality":"%s","embeddingModel":"%s","dimension":3,
                 "indexKind":"FLAT","deidentified":true}""".formatted(name, scope, modality, model));
        assertThat(created.status()).as(created.body()).isIn(201, 409);
    }

    static JsonNode build(String collection, String request) {
        var started = client.call("POST", "/api/v1/collections/" + collection + "/builds", admin(), request);
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        return CollectionsTests.built(collection, started.json().get("version").asLong());
    }

    static void refused(String collection, String request, String field) {
        var refused = client.call("POST", "/api/v1/collections/" + collection + "/builds", admin(), request);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().get("field").asString()).as(refused.body()).isEqualTo(field);
    }

    static byte[] zip(List<String> names, List<byte[]> contents) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            for (int i = 0; i < names.size(); i++) {
                zip.putNextEntry(new ZipEntry(names.get(i)));
                zip.write(contents.get(i));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static DicomHeader header(String file) throws Exception {
        return new DicomReader(new byte[16]).read(CohortBuildTests.FIXTURES.resolve(file));
    }

    static byte[] rendered(String file) throws Exception {
        return new DicomReader(new byte[16])
                .readImage(CohortBuildTests.FIXTURES.resolve(file), 1)
                .png(0);
    }

    @Test
    void aZipOfImagesIsEmbeddedWithTheImageModelItsLabelsKeptAndEachBadEntryRefused() {
        imageCollection("wound-zip", "wound-images-deid", "IMAGE", TestImageModel.NAME);
        byte[] labels = """
                {"file":"ulcer/red-1.png","metadata":{"site":"heel"}}
                """.getBytes(StandardCharsets.UTF_8);
        byte[] archive = zip(
                List.of(
                        "ulcer/red-1.png",
                        "ulcer/red-2.png",
                        "healthy/green-1.png",
                        "healthy/green-2.png",
                        "labels.ndjson",
                        "notes.txt",
                        "../escape.png",
                        "zeros.bin"),
                List.of(
                        BuiltinToolsTests.solid(new Color(200, 30, 30), 16),
                        BuiltinToolsTests.solid(new Color(220, 40, 20), 16),
                        BuiltinToolsTests.solid(new Color(30, 200, 30), 16),
                        BuiltinToolsTests.solid(new Color(40, 220, 20), 16),
                        labels,
                        "not an image".getBytes(StandardCharsets.UTF_8),
                        BuiltinToolsTests.solid(Color.RED, 16),
                        new byte[100 * 1024]));
        String upload = CollectionsTests.upload("wound-zip", "application/zip", archive);

        JsonNode version = build("wound-zip", "{\"format\":\"images-zip\",\"upload\":\"" + upload + "\"}");

        assertThat(version.get("state").asString()).as(version.toString()).isEqualTo("READY");
        assertThat(version.get("sourceKind").asString()).isEqualTo("images-zip");
        assertThat(version.get("total").asLong()).isEqualTo(7);
        assertThat(version.get("accepted").asLong()).isEqualTo(4);
        // refusals in position order (the entries' name order), each with its entry and code
        assertThat(version.get("rejections").findValuesAsString("code"))
                .containsExactly("unsafe-name", "not-an-image", "zip-ratio");
        assertThat(version.get("rejections").findValuesAsString("reference"))
                .containsExactly("../escape.png", "notes.txt", "zeros.bin");

        var classified = client.call(
                "POST",
                "/gateway/v1/classify",
                client.agentToken("demo-wound-classifier", "demo-wound-classifier-secret"),
                """
                {"collection":"wound-zip","dataset":"wound-images-deid","purposeOfUse":"TREAT","image":"%s","k":3}""".formatted(BuiltinToolsTests.base64(BuiltinToolsTests.solid(new Color(210, 35, 30), 24))));
        assertThat(classified.status()).as(classified.body()).isEqualTo(200);
        assertThat(classified.json().get("label").asString())
                .as(classified.body())
                .isEqualTo("ulcer");
        assertThat(classified.json().get("collectionVersion").asLong())
                .isEqualTo(version.get("version").asLong());
        assertThat(classified.body()).contains("ulcer/red-1.png").contains("heel");
    }

    @Test
    void unusableZipsAndAnotherImageModelAreRefusedNamingTheirField() {
        imageCollection("wound-zip-bad", "wound-images-deid", "IMAGE", TestImageModel.NAME);
        String notZip =
                CollectionsTests.upload("wound-zip-bad", "application/zip", "hello".getBytes(StandardCharsets.UTF_8));
        refused("wound-zip-bad", "{\"format\":\"images-zip\",\"upload\":\"" + notZip + "\"}", "upload");

        // 20 MiB of zeros deflate to a few KiB: the entries declare far more than max-zip-ratio times the upload
        String bomb = CollectionsTests.upload(
                "wound-zip-bad", "application/zip", zip(List.of("a.png"), List.of(new byte[20 * 1024 * 1024])));
        refused("wound-zip-bad", "{\"format\":\"images-zip\",\"upload\":\"" + bomb + "\"}", "upload");

        String badLabels = CollectionsTests.upload(
                "wound-zip-bad",
                "application/zip",
                zip(
                        List.of("a.png", "labels.ndjson"),
                        List.of(
                                BuiltinToolsTests.solid(Color.RED, 8),
                                "{\"file\":\"missing.png\",\"metadata\":{}}".getBytes(StandardCharsets.UTF_8))));
        refused("wound-zip-bad", "{\"format\":\"images-zip\",\"upload\":\"" + badLabels + "\"}", "upload");

        imageCollection("wound-zip-mii", "wound-images-deid", "IMAGE", "MedImageInsight");
        String images = CollectionsTests.upload(
                "wound-zip-mii",
                "application/zip",
                zip(List.of("a.png"), List.of(BuiltinToolsTests.solid(Color.RED, 8))));
        refused("wound-zip-mii", "{\"format\":\"images-zip\",\"upload\":\"" + images + "\"}", "embeddingModel");
        refused("wound-zip-mii", "{\"format\":\"dicom-series\",\"dataSource\":\"collection-dicom\"}", "format");
    }

    @Test
    void dicomInstancesOfAFolderSourceAreDecodedAndCompressedOnesRefusedNamingTheirTransferSyntax() throws Exception {
        imageCollection("ct-frames", "imaging-ct-deid", "IMAGE", TestImageModel.NAME);
        // the test's model embeds an image as its average colour: every grey image lies in one direction, so the
        // colour one (big-endian RGB) is the one a search can single out
        String rgb = header("ExplVR_BigEnd.dcm").sopInstanceUid();
        String labels = CollectionsTests.upload(
                "ct-frames",
                "application/x-ndjson",
                ("{\"uid\":\"" + rgb + "\",\"metadata\":{\"label\":\"rgb\"}}\n").getBytes(StandardCharsets.UTF_8));

        JsonNode version = build(
                "ct-frames",
                "{\"format\":\"dicom-instances\",\"dataSource\":\"collection-dicom\",\"labels\":\"" + labels + "\"}");

        assertThat(version.get("state").asString()).as(version.toString()).isEqualTo("READY");
        assertThat(version.get("sourceKind").asString()).isEqualTo("dicom-instances");
        assertThat(version.get("total").asLong()).isEqualTo(FILES.size());
        assertThat(version.get("accepted").asLong()).as(version.toString()).isEqualTo(3);
        JsonNode compressed = null;
        List<String> codes = new ArrayList<>();
        for (JsonNode rejection : version.get("rejections")) {
            codes.add(rejection.get("code").asString());
            if (rejection.get("reference").asString().endsWith("JPEG2000.dcm")) {
                compressed = rejection;
            }
        }
        assertThat(compressed).as(version.toString()).isNotNull();
        assertThat(compressed.get("code").asString()).isEqualTo("compressed-transfer-syntax");
        assertThat(compressed.get("reason").asString()).contains("JPEG 2000").contains("1.2.840.10008.1.2.4.9");
        assertThat(codes).hasSize(2);

        var agent = ToolBackendsEndToEndTests.agentGranted(List.of("image-search"));
        var found = client.call("POST", "/gateway/v1/image-search", agent.token(), """
                {"collection":"ct-frames","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","image":"%s","k":1}""".formatted(
                        Base64.getEncoder().encodeToString(rendered("ExplVR_BigEnd.dcm"))));
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        JsonNode hit = found.json().get("hits").get(0);
        assertThat(hit.get("id").asString()).as(found.body()).isEqualTo(rgb);
        assertThat(hit.get("score").asDouble()).isGreaterThan(0.999);
        assertThat(hit.get("metadata").get("label").asString()).isEqualTo("rgb");
        assertThat(hit.get("metadata").has("seriesInstanceUid")).isTrue();
    }

    @Test
    void dicomSeriesOfAFolderSourceBecomeVolumes() throws Exception {
        imageCollection("ct-volume-builds", "imaging-ct-deid", "VOLUME", TestImageModel.NAME);
        refused("ct-volume-builds", "{\"format\":\"dicom-instances\",\"dataSource\":\"collection-dicom\"}", "format");

        JsonNode version =
                build("ct-volume-builds", "{\"format\":\"dicom-series\",\"dataSource\":\"collection-dicom\"}");

        assertThat(version.get("state").asString()).as(version.toString()).isEqualTo("READY");
        assertThat(version.get("accepted").asLong()).as(version.toString()).isEqualTo(3);
        assertThat(version.get("rejections").findValuesAsString("code"))
                .as(version.toString())
                .contains("compressed-transfer-syntax");

        var agent = ToolBackendsEndToEndTests.agentGranted(List.of("volume-search"));
        var found = client.call("POST", "/gateway/v1/volume-search", agent.token(), """
                {"collection":"ct-volume-builds","dataset":"imaging-ct-deid","purposeOfUse":"TREAT",
                 "series":{"instances":["%s"]},"k":1}""".formatted(Base64.getEncoder()
                .encodeToString(Files.readAllBytes(CohortBuildTests.FIXTURES.resolve("ExplVR_BigEnd.dcm")))));
        assertThat(found.status()).as(found.body()).isEqualTo(200);
        JsonNode hit = found.json().get("hits").get(0);
        // the colour series, which the test's average-colour model tells apart from the grey ones
        assertThat(hit.get("id").asString())
                .as(found.body())
                .isEqualTo(header("ExplVR_BigEnd.dcm").seriesInstanceUid());
        assertThat(hit.get("score").asDouble()).isGreaterThan(0.999);
        assertThat(hit.get("metadata").get("aggregation").asString()).isNotBlank();
    }

    @Test
    void aDataSourceOfAnotherScopeOrNoneIsRefused() {
        imageCollection("ct-frames-scoped", "imaging-ct-deid", "IMAGE", TestImageModel.NAME);
        refused(
                "ct-frames-scoped",
                "{\"format\":\"dicom-instances\",\"dataSource\":\"collection-dicom-wounds\"}",
                "dataSource");
        refused("ct-frames-scoped", "{\"format\":\"dicom-instances\",\"dataSource\":\"no-such-source\"}", "dataSource");
        refused("ct-frames-scoped", "{\"format\":\"dicom-instances\"}", "dataSource");
        refused(
                "ct-frames-scoped",
                "{\"format\":\"dicom-instances\",\"dataSource\":\"collection-dicom\",\"frames\":\"SOME\"}",
                "frames");
        assertThat(client.get("/api/v1/collections/ct-frames-scoped/versions", admin())
                        .json()
                        .size())
                .isZero();
        // the role rule of builds holds for these formats too
        var byOwner = client.call(
                "POST",
                "/api/v1/collections/ct-frames-scoped/builds",
                owner(),
                "{\"format\":\"dicom-instances\",\"dataSource\":\"collection-dicom\"}");
        assertThat(byOwner.status()).isEqualTo(403);
    }
}
