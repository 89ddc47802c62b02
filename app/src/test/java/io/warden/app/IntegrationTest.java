package io.warden.app;

import io.warden.WardenApplication;
import io.warden.clinical.dicom.Orthanc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Base of the end-to-end tests: one real Warden per test JVM, on its own port, with its embedded
 * PostgreSQL in a fresh folder and its demo data, called over real HTTP. All subclasses share it.
 */
@SpringBootTest(classes = WardenApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@Import({RecordingListeners.class, HeldRetrievals.class})
public abstract class IntegrationTest {

    protected static final int PORT = freePort();
    protected static final Path DATA = tempDir();
    protected static final WardenClient client = new WardenClient("http://localhost:" + PORT);
    protected static final String BREAK_GLASS_GROUP = "test-break-glass-" + UUID.randomUUID();
    protected static final String NODE_TOKEN = "test-node-token-" + UUID.randomUUID();
    /**
     * Where {@link DicomWebCollectionsTests} starts its Orthanc, and its password: a DICOMweb server is named in
     * configuration (its address and credentials never pass through the API), so Warden knows it before Orthanc runs.
     */
    protected static final int ORTHANC_PORT = freePort();

    protected static final String ORTHANC_PASSWORD = "orthanc-" + UUID.randomUUID();

    @DynamicPropertySource
    static void wardenProperties(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("warden.identity.issuer", () -> "http://localhost:" + PORT);
        registry.add("warden.data-dir", () -> DATA.toString());
        registry.add("warden.demo.enabled", () -> "true");
        // a second archive root, which the cohort upgrade test fills with folders earlier runs read
        registry.add(
                "warden.cohort.archive-roots", () -> DATA.resolve("archives") + "," + DATA.resolve("legacy-archives"));
        // one Orthanc under two names, so that two data sources (one per scope) can point at it
        for (String server : List.of("test-orthanc", "test-orthanc-phi")) {
            String prefix = "warden.cohort.dicomweb." + server;
            registry.add(prefix + ".url", () -> "http://127.0.0.1:" + ORTHANC_PORT + "/dicom-web");
            registry.add(prefix + ".username", () -> Orthanc.USER);
            registry.add(prefix + ".password", () -> ORTHANC_PASSWORD);
        }
        registry.add("warden.retrieval.node.enabled", () -> "true");
        registry.add("warden.retrieval.node.token", () -> NODE_TOKEN);
        // an image model built in the test: the image tools' paths run on a real ONNX encoder
        registry.add("warden.retrieval.image.model-file", IntegrationTest::imageModel);
        registry.add("warden.retrieval.image.model-name", () -> TestImageModel.NAME);
        registry.add("warden.retrieval.image.width", () -> "8");
        registry.add("warden.retrieval.image.height", () -> "8");
        registry.add("warden.retrieval.image.mean", () -> "0.5,0.5,0.5");
        registry.add("warden.retrieval.image.std", () -> "0.5,0.5,0.5");
        // members of this directory group may have agents break the glass for them (BreakGlassTests creates it)
        registry.add("warden.gateway.break-glass-groups", () -> BREAK_GLASS_GROUP);
        // a review is overdue a second after the use: the process's next check (the engine's clock moved) escalates it
        registry.add("warden.break-glass.review-within", () -> "PT1S");
        // failed event deliveries are retried within the tests' waits
        registry.add("warden.events.redeliver-every", () -> "PT1S");
        registry.add("warden.events.backoff", () -> "PT1S");
    }

    static String imageModel() {
        Path file = DATA.resolve("average-colour.onnx");
        try {
            Files.write(file, TestImageModel.averagePoolModel());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file.toString();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A password of the embedded PostgreSQL that a Warden on {@code wardenDataDir} started: {@code superuser} or
     * {@code application}. For a second instance that connects to the first one's database.
     */
    static String embeddedPassword(Path wardenDataDir, String which) {
        Properties passwords = new Properties();
        try (var reader = Files.newBufferedReader(wardenDataDir.resolve("pgdata/warden-passwords.properties"))) {
            passwords.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Objects.requireNonNull(passwords.getProperty(which), which);
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("warden-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static String admin() {
        return client.personToken("ada.admin");
    }

    protected static String owner() {
        return client.personToken("otto.owner");
    }

    protected static String compliance() {
        return client.personToken("carla.compliance");
    }

    protected static String secops() {
        return client.personToken("sam.secops");
    }

    protected static String agent() {
        return client.agentToken("demo-retrieval-agent", "demo-retrieval-agent-secret");
    }

    /**
     * Enters a text collection into the catalog for {@code dataScope} (the gateway reads only catalogued collections,
     * within their scope); a test that fills it through {@code VectorCollections.replace} searches what it put there.
     * Idempotent.
     */
    protected static void governedCollection(String name, String dataScope) {
        governedCollection(name, dataScope, "TEXT", "all-MiniLM-L6-v2", "label", 0);
    }

    /**
     * As {@link #governedCollection(String, String)}, of a modality and model, voting on {@code labelField}; an image
     * or volume collection states its model's {@code dimension} (a text one: 0, the text model's).
     */
    protected static void governedCollection(
            String name, String dataScope, String modality, String embeddingModel, String labelField, int dimension) {
        var created = client.call("POST", "/api/v1/collections", admin(), """
                {"name":"%s","dataScope":"%s","modality":"%s","embeddingModel":"%s",
                 "indexKind":"HNSW","deidentified":%s,"labelField":"%s"%s}""".formatted(
                        name,
                        dataScope,
                        modality,
                        embeddingModel,
                        !dataScope.endsWith("-phi"),
                        labelField,
                        dimension > 0 ? ",\"dimension\":" + dimension : ""));
        if (created.status() != 201 && created.status() != 409) {
            throw new AssertionError("could not create collection " + name + ": " + created.body());
        }
    }

    /** The registry's view of an agent, found by its client id. */
    protected static JsonNode agentByClientId(String clientId) {
        for (var item : client.get("/api/v1/agents?size=100", admin()).json().get("items")) {
            if (clientId.equals(item.path("clientId").asString(null))) {
                return item;
            }
        }
        throw new AssertionError("no agent with client id " + clientId);
    }

    /**
     * An agent kill switch opens an incident (agent suspended, identity disabled); closes it again: waits for
     * the incident to be open, resolves it with REINSTATE and waits until the agent is ACTIVE.
     */
    protected static void reinstateAfterIncident(String clientId) {
        String id = agentByClientId(clientId).get("id").asString();
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> client.call(
                                        "POST",
                                        "/api/v1/agents/" + id + "/incident/resolution",
                                        secops(),
                                        "{\"resolution\":\"REINSTATE\",\"reason\":\"test over\"}")
                                .status()
                        == 202);
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> "ACTIVE"
                        .equals(client.get("/api/v1/agents/" + id, admin())
                                .json()
                                .get("status")
                                .asString()));
    }
}
