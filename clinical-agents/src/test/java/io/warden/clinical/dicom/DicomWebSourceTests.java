package io.warden.clinical.dicom;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.warden.clinical.dicom.DicomSource.Report;
import io.warden.clinical.dicom.DicomWebSource.Auth;
import io.warden.clinical.dicom.DicomWebSource.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DICOMweb source against a real Orthanc with its DICOMweb plugin, started by the test on a free loopback
 * port and loaded with Debian's pydicom test files: it must give the series table and the patient hashes the
 * folder scan gives for the same files. Retries, authentication and paging are checked against a small
 * in-process HTTP server speaking DICOM JSON, which can fail on demand.
 */
class DicomWebSourceTests {

    static final Path FILES = DicomReaderTests.FILES;
    static final byte[] SALT = "web-salt".getBytes(StandardCharsets.UTF_8);
    /** pydicom's data folder: its test files and its character set files. */
    static final Path DATA = requireNonNull(FILES.getParent());
    /**
     * Files the folder scan reads whole: two single instances and three multi-instance series from the DICOMDIR
     * tests, and two patients with accented names (ISO_IR 100), which the server sends as UTF-8 and the file holds in
     * Latin-1. (Names in other scripts are compared with pydicom in {@link CharacterSetTests}: Orthanc answers QIDO
     * searches from its index, which keeps only the ISO 8859-1 characters of a name.)
     */
    static final List<String> UPLOADS = Stream.of(
                    Stream.of("CT_small.dcm", "MR_small.dcm").map(name -> "test_files/" + name),
                    Stream.of("17106", "17136", "17166", "17196")
                            .map(name -> "test_files/dicomdirtests/77654033/CT2/" + name),
                    Stream.of("2062", "2392", "2693", "3023", "3353")
                            .map(name -> "test_files/dicomdirtests/98892001/CT5N/" + name),
                    Stream.of("15970", "4950", "4981", "5011")
                            .map(name -> "test_files/dicomdirtests/98892003/MR2/" + name),
                    Stream.of("chrFren", "chrGerm").map(name -> "charset_files/" + name + ".dcm"))
            .flatMap(s -> s)
            .toList();
    /** Tiny back-off, so the retry tests take milliseconds. */
    static final Settings FAST = Settings.defaults().withRetries(3, Duration.ofMillis(1), Duration.ofSeconds(5));

    static @Nullable Orthanc orthanc;

    @Nullable
    FakeServer fake;

    /** Keeps the fake a test started, for {@link #stopFake} to stop. */
    private FakeServer started(FakeServer server) {
        fake = server;
        return server;
    }

    @AfterAll
    static void stopOrthanc() throws Exception {
        if (orthanc != null) {
            orthanc.close();
            orthanc = null;
        }
    }

    @AfterEach
    void stopFake() {
        if (fake != null) {
            fake.server.stop(0);
        }
    }

    // ---- against a real Orthanc -------------------------------------------------------------------------------

    @Test
    void orthancGivesTheSeriesAndPatientHashesTheFolderScanGives(@TempDir Path folder) throws Exception {
        Orthanc server = orthanc();
        Report files = scan(folder);
        assertThat(files.skipped()).isEmpty();
        assertThat(files.instances()).hasSize(UPLOADS.size());

        Report web = server.source(SALT, Settings.defaults()).read();
        assertThat(web.skipped()).isEmpty();
        assertThat(web.instances()).hasSize(UPLOADS.size());
        assertThat(web.instances())
                .allSatisfy(instance -> assertThat(instance.location())
                        .startsWith(server.dicomWeb() + "/studies/")
                        .contains("/series/")
                        .contains("/instances/"));

        List<Series> fromFiles = Series.group(files.headers());
        assertThat(fromFiles).extracting(Series::sliceCount).contains(4, 5); // the multi-instance series are there
        assertThat(Series.group(web.headers())).containsExactlyInAnyOrderElementsOf(fromFiles);
        // header by header the same record, but for the transfer syntax, which is file meta and not in QIDO's answer
        assertThat(bySop(web)).isEqualTo(bySop(files));
        assertThat(web.headers()).allSatisfy(header -> {
            assertThat(header.patientIdHash()).matches("[0-9a-f]{64}");
            assertThat(header.patientNameHash()).matches("[0-9a-f]{64}");
        });
        assertThat(web.headers().stream().map(DicomHeader::patientIdHash).collect(Collectors.toSet()))
                .isEqualTo(
                        files.headers().stream().map(DicomHeader::patientIdHash).collect(Collectors.toSet()));
        assertThat(web.headers().stream().map(DicomHeader::patientNameHash).collect(Collectors.toSet()))
                .isEqualTo(files.headers().stream()
                        .map(DicomHeader::patientNameHash)
                        .collect(Collectors.toSet()));
        assertThat(web.toString())
                .as("no patient in clear")
                .doesNotContain("Doe^Archibald")
                .doesNotContain("77654033");
    }

    @Test
    void orthancPagedOneByOneGivesTheSameInstances(@TempDir Path folder) throws Exception {
        Orthanc server = orthanc();
        Report web = server.source(SALT, Settings.defaults().withPageSize(1)).read();
        assertThat(web.skipped()).isEmpty();
        assertThat(bySop(web)).isEqualTo(bySop(scan(folder)));
        assertThat(Series.group(web.headers()))
                .containsExactlyInAnyOrderElementsOf(Series.group(
                        server.source(SALT, Settings.defaults()).read().headers()));
    }

    @Test
    void orthancRendersAnInstanceAsPngForTheImageTier() throws Exception {
        DicomWebSource source = orthanc().source(SALT, FAST);
        Report web = source.read();
        DicomSource.Instance ct = web.instances().stream()
                .filter(instance -> "CT".equals(instance.header().modality()))
                .findFirst()
                .orElseThrow();
        byte[] png = source.rendered(ct.location()).orElseThrow();
        assertThat(Arrays.copyOf(png, 8)).containsExactly(0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
        assertThat(source.rendered(ct.location().replace(ct.header().sopInstanceUid(), "1.2.3.4")))
                .isEmpty();
        assertThatThrownBy(() -> source.rendered("http://elsewhere.example/studies/1/series/2/instances/3"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void orthancRefusesAWrongPasswordAndTheErrorDoesNotShowIt() throws Exception {
        Orthanc server = orthanc();
        String wrong = "wrong-" + UUID.randomUUID();
        DicomWebSource source =
                new DicomWebSource(URI.create(server.dicomWeb()), new Auth.Basic("warden", wrong), SALT, FAST);
        assertThatThrownBy(source::read).isInstanceOfSatisfying(DicomWebException.class, e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.url()).startsWith(server.dicomWeb() + "/studies");
            assertThat(e.getMessage())
                    .contains("401")
                    .contains(server.dicomWeb())
                    .doesNotContain(wrong)
                    .doesNotContain(
                            Base64.getEncoder().encodeToString(("warden:" + wrong).getBytes(StandardCharsets.UTF_8)));
        });
    }

    // ---- against a fake server --------------------------------------------------------------------------------

    static final String STUDY = """
            {"0020000D":{"vr":"UI","Value":["1.2.3"]},"00081030":{"vr":"LO","Value":["CT CHEST"]},
             "00100020":{"vr":"LO","Value":["PAT-7 "]},
             "00100010":{"vr":"PN","Value":[{"Alphabetic":"Doe^Jane","Ideographic":"\u30c9\u30a6^\u30b8\u30a7\u30fc\u30f3"}]},
             "0008103E":{"vr":"LO","Value":["one instance's description, in a study answer"]},
             "00280010":{"vr":"US","Value":[9]}}""";
    static final String SERIES = """
            {"0020000D":{"vr":"UI","Value":["1.2.3"]},"0020000E":{"vr":"UI","Value":["1.2.3.4"]},
             "00080060":{"vr":"CS","Value":["CT"]},"0008103E":{"vr":"LO","Value":["AXIAL 2.5"]},"00180015":{"vr":"CS"}}""";
    static final String INSTANCE = """
            {"00080018":{"vr":"UI","Value":["1.2.3.4.5"]},"0020000E":{"vr":"UI","Value":["1.2.3.4"]},
             "00200037":{"vr":"DS","Value":["1","0","0","0","1","0"]},"00200032":{"vr":"DS","Value":[-10.5,2,"3.25"]},
             "00180050":{"vr":"DS","Value":["2.5"]},"00280010":{"vr":"US","Value":[512]},"00280011":{"vr":"US","Value":[512]},
             "00280008":{"vr":"IS","Value":["3"]},"00080070":{"vr":"LO","Value":["ACME"]},"00020010":{"vr":"UI","Value":["1.2.840.10008.1.2.1"]}}""";
    static final String BROKEN_INSTANCE = """
            {"00080018":{"vr":"UI","Value":["1.2.3.4.6"]},"00280010":{"vr":"US","Value":["many"]}}""";

    /** One study, one series with a good and a damaged instance, and a second series that answers 204. */
    static Map<String, List<String>> archive() {
        Map<String, List<String>> archive = new HashMap<>();
        archive.put("/dicom-web/studies", List.of(STUDY));
        archive.put("/dicom-web/studies/1.2.3/series", List.of(SERIES, SERIES.replace("1.2.3.4\"", "1.2.3.9\"")));
        archive.put("/dicom-web/studies/1.2.3/series/1.2.3.4/instances", List.of(INSTANCE, BROKEN_INSTANCE));
        archive.put("/dicom-web/studies/1.2.3/series/1.2.3.9/instances", List.of());
        return archive;
    }

    @Test
    void mapsDicomJsonToTheHeaderTheFileWouldGiveAndListsWhatItCannotRead() throws Exception {
        FakeServer fake = started(new FakeServer(FakeServer.serving(archive())));
        Report report = new DicomWebSource(fake.root(), new Auth.None(), SALT, FAST).read();

        PatientHash hash = new PatientHash(SALT);
        assertThat(report.instances()).singleElement().satisfies(instance -> {
            assertThat(instance.location())
                    .isEqualTo(fake.root() + "/studies/1.2.3/series/1.2.3.4/instances/1.2.3.4.5");
            assertThat(instance.header())
                    .isEqualTo(new DicomHeader(
                            "1.2.840.10008.1.2.1",
                            "1.2.3",
                            "1.2.3.4",
                            "1.2.3.4.5",
                            "CT",
                            null,
                            "AXIAL 2.5",
                            "CT CHEST",
                            List.of(1.0, 0.0, 0.0, 0.0, 1.0, 0.0),
                            List.of(-10.5, 2.0, 3.25),
                            2.5,
                            512,
                            512,
                            3,
                            "ACME",
                            hash.of("PAT-7"),
                            hash.of("Doe^Jane=\u30c9\u30a6^\u30b8\u30a7\u30fc\u30f3")));
        });
        assertThat(report.skipped()).singleElement().satisfies(skipped -> {
            assertThat(skipped.location()).endsWith("/instances/1.2.3.4.6");
            assertThat(skipped.reason()).contains("many");
        });
        assertThat(fake.requests).allSatisfy(request -> {
            assertThat(request.header("Accept")).isEqualTo("application/dicom+json");
            assertThat(request.query().get("includefield"))
                    .contains("00100020")
                    .contains("00200037")
                    .contains("0008103E");
            assertThat(request.header("Authorization")).isNull();
        });
    }

    @Test
    void aPatientHashesAlikeFromAFileAndFromDicomJson() throws Exception {
        DicomHeader file = new DicomReader(SALT).read(FILES.resolve("CT_small.dcm"));
        PatientHash hash = new PatientHash(SALT);
        assertThat(file.patientIdHash()).isEqualTo(hash.of("1CT1"));
        assertThat(file.patientNameHash()).isEqualTo(hash.of("CompressedSamples^CT1"));
        assertThat(hash.of("1CT1")).isEqualTo(sha256("web-salt1CT1"));
        assertThat(hash.of("  ")).isNull();
    }

    @Test
    void retriesA503AndSucceeds() throws Exception {
        AtomicInteger studies = new AtomicInteger();
        Function<FakeServer.Request, FakeServer.Reply> archive = FakeServer.serving(archive());
        FakeServer fake = started(
                new FakeServer(request -> request.path().equals("/dicom-web/studies") && studies.incrementAndGet() <= 2
                        ? new FakeServer.Reply(503, Map.of(), "")
                        : archive.apply(request)));
        Report report = new DicomWebSource(fake.root(), new Auth.None(), SALT, FAST).read();
        assertThat(report.instances()).hasSize(1);
        assertThat(studies).hasValue(3);
    }

    @Test
    void givesUpAfterTheLastAttemptNamingTheUrlAndStatus() throws Exception {
        FakeServer fake = started(new FakeServer(request -> new FakeServer.Reply(502, Map.of(), "bad gateway")));
        assertThatThrownBy(() -> new DicomWebSource(fake.root(), new Auth.None(), SALT, FAST).read())
                .isInstanceOfSatisfying(DicomWebException.class, e -> {
                    assertThat(e.status()).isEqualTo(502);
                    assertThat(e.url()).startsWith(fake.root() + "/studies?");
                    assertThat(e.getMessage())
                            .contains(fake.root() + "/studies")
                            .contains("502")
                            .contains("3 attempts");
                });
        assertThat(fake.requests).hasSize(3);
    }

    @Test
    void anUnreachableServerFailsAfterItsRetriesWithStatusZero() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + port + "/dicom-web");
        assertThatThrownBy(() -> new DicomWebSource(nowhere, new Auth.None(), SALT, FAST).read())
                .isInstanceOfSatisfying(DicomWebException.class, e -> {
                    assertThat(e.status()).isZero();
                    assertThat(e.getCause()).isInstanceOf(IOException.class);
                    assertThat(e.getMessage()).contains(nowhere + "/studies").contains("3 attempts");
                });
    }

    @Test
    void a401FailsAtOnceWithTheStatusAndNoCredential() throws Exception {
        FakeServer fake = started(new FakeServer(
                request -> new FakeServer.Reply(401, Map.of("WWW-Authenticate", "Basic realm=\"pacs\""), "")));
        String password = "s3cret-" + UUID.randomUUID();
        DicomWebSource source = new DicomWebSource(fake.root(), new Auth.Basic("warden", password), SALT, FAST);
        assertThatThrownBy(source::read).isInstanceOfSatisfying(DicomWebException.class, e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.getMessage())
                    .contains("401")
                    .contains(fake.root() + "/studies")
                    .doesNotContain(password)
                    .doesNotContain(Base64.getEncoder()
                            .encodeToString(("warden:" + password).getBytes(StandardCharsets.UTF_8)));
        });
        assertThat(fake.requests).as("no retry on 401").hasSize(1);
        assertThat(fake.requests.getFirst().header("Authorization"))
                .isEqualTo("Basic "
                        + Base64.getEncoder().encodeToString(("warden:" + password).getBytes(StandardCharsets.UTF_8)));
        assertThat(new Auth.Basic("warden", password).toString()).doesNotContain(password);
    }

    @Test
    void sendsTheBearerTokenAskingTheSupplierEachTime() throws Exception {
        FakeServer fake = started(new FakeServer(FakeServer.serving(archive())));
        AtomicInteger issued = new AtomicInteger();
        Report report = new DicomWebSource(
                        fake.root(), new Auth.Bearer(() -> "token-" + issued.incrementAndGet()), SALT, FAST)
                .read();
        assertThat(report.instances()).hasSize(1);
        assertThat(fake.requests)
                .extracting(request -> request.header("Authorization"))
                .containsExactly("Bearer token-1", "Bearer token-2", "Bearer token-3", "Bearer token-4");
    }

    @Test
    void honoursRetryAfter() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Function<FakeServer.Request, FakeServer.Reply> archive = FakeServer.serving(archive());
        FakeServer fake = started(new FakeServer(request -> calls.incrementAndGet() == 1
                ? new FakeServer.Reply(429, Map.of("Retry-After", "1"), "")
                : archive.apply(request)));
        Report report = new DicomWebSource(fake.root(), new Auth.None(), SALT, FAST).read();
        assertThat(report.instances()).hasSize(1);
        long gap = fake.requests.get(1).nanos() - fake.requests.get(0).nanos();
        assertThat(Duration.ofNanos(gap))
                .as("waited as Retry-After asked, not the 1 ms back-off")
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void pagesWithLimitAndOffsetUntilAShortOrEmptyPage() throws Exception {
        Map<String, List<String>> archive = new HashMap<>();
        List<String> studies = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            studies.add("{\"0020000D\":{\"vr\":\"UI\",\"Value\":[\"1.9." + i + "\"]}}");
            archive.put(
                    "/dicom-web/studies/1.9." + i + "/series",
                    List.of("{\"0020000E\":{\"vr\":\"UI\",\"Value\":[\"1.9." + i + ".1\"]}}"));
            archive.put(
                    "/dicom-web/studies/1.9." + i + "/series/1.9." + i + ".1/instances",
                    List.of(
                            "{\"00080018\":{\"vr\":\"UI\",\"Value\":[\"1.9." + i + ".1.1\"]}}",
                            "{\"00080018\":{\"vr\":\"UI\",\"Value\":[\"1.9." + i + ".1.2\"]}}",
                            "{\"00080018\":{\"vr\":\"UI\",\"Value\":[\"1.9." + i + ".1.3\"]}}"));
        }
        archive.put("/dicom-web/studies", studies);
        FakeServer fake = started(new FakeServer(FakeServer.serving(archive)));
        Report report = new DicomWebSource(fake.root(), new Auth.None(), SALT, FAST.withPageSize(2)).read();
        assertThat(report.instances()).hasSize(12);
        assertThat(Series.group(report.headers()))
                .hasSize(4)
                .allSatisfy(series -> assertThat(series.sliceCount()).isEqualTo(3));
        // four studies in pages of two: a third, empty (204) page ends the list; three instances: a short second page
        assertThat(fake.requests)
                .filteredOn(request -> request.path().equals("/dicom-web/studies"))
                .extracting(request ->
                        request.query().get("offset") + "+" + request.query().get("limit"))
                .containsExactly("0+2", "2+2", "4+2");
        assertThat(fake.requests)
                .filteredOn(request -> request.path().equals("/dicom-web/studies/1.9.1/series/1.9.1.1/instances"))
                .extracting(request -> request.query().get("offset"))
                .containsExactly("0", "2");
    }

    @Test
    void aServerThatIgnoresOffsetIsReportedNotLoopedOn() throws Exception {
        FakeServer fake = started(new FakeServer(request -> new FakeServer.Reply(200, Map.of(), "[" + STUDY + "]")));
        assertThatThrownBy(() -> new DicomWebSource(fake.root(), new Auth.None(), SALT, FAST.withPageSize(1)).read())
                .isInstanceOf(DicomWebException.class)
                .hasMessageContaining("offset");
    }

    @Test
    void refusesCredentialsInTheUrl() {
        assertThatThrownBy(() -> new DicomWebSource(
                        URI.create("http://warden:pw@127.0.0.1:1/dicom-web"), new Auth.None(), SALT, FAST))
                .isInstanceOf(IllegalArgumentException.class)
                .message()
                .doesNotContain("pw");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    static Report scan(Path folder) throws IOException {
        for (String name : UPLOADS) {
            Path target = folder.resolve(name);
            Files.createDirectories(target.getParent());
            Files.copy(DATA.resolve(name), target);
        }
        return new DicomFolderScan(new DicomReader(SALT), 2).source(folder).read();
    }

    /** Each header by SOP instance UID, without the transfer syntax. */
    static Map<String, DicomHeader> bySop(Report report) {
        Map<String, DicomHeader> bySop = new LinkedHashMap<>();
        for (DicomHeader h : report.headers()) {
            assertThat(bySop.put(
                            h.sopInstanceUid(),
                            new DicomHeader(
                                    null,
                                    h.studyInstanceUid(),
                                    h.seriesInstanceUid(),
                                    h.sopInstanceUid(),
                                    h.modality(),
                                    h.bodyPartExamined(),
                                    h.seriesDescription(),
                                    h.studyDescription(),
                                    h.orientation(),
                                    h.position(),
                                    h.sliceThickness(),
                                    h.rows(),
                                    h.columns(),
                                    h.numberOfFrames(),
                                    h.manufacturer(),
                                    h.patientIdHash(),
                                    h.patientNameHash())))
                    .as("SOP instance %s once", h.sopInstanceUid())
                    .isNull();
        }
        return bySop;
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The test's own Orthanc, started once for the class and loaded with {@link #UPLOADS}. */
    static synchronized Orthanc orthanc() throws Exception {
        if (orthanc == null) {
            orthanc = Orthanc.start(DATA, UPLOADS);
        }
        return orthanc;
    }

    /** A loopback HTTP server that answers DICOMweb paths as a function says, and records every request. */
    static final class FakeServer {

        record Request(String path, Map<String, String> query, Map<String, String> headers, long nanos) {

            @Nullable
            String header(String name) {
                return headers.get(name.toLowerCase(Locale.ROOT));
            }
        }

        record Reply(int status, Map<String, String> headers, String body) {}

        final HttpServer server;
        final List<Request> requests = new CopyOnWriteArrayList<>();

        FakeServer(Function<Request, Reply> answer) throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                try (exchange) {
                    Request request = request(exchange);
                    requests.add(request);
                    Reply reply = answer.apply(request);
                    reply.headers()
                            .forEach((name, value) ->
                                    exchange.getResponseHeaders().add(name, value));
                    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
                    if (reply.status() == 204 || body.length == 0) {
                        exchange.sendResponseHeaders(reply.status(), -1);
                    } else {
                        exchange.getResponseHeaders().add("Content-Type", "application/dicom+json");
                        exchange.sendResponseHeaders(reply.status(), body.length);
                        exchange.getResponseBody().write(body);
                    }
                }
            });
            server.start();
        }

        URI root() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/dicom-web");
        }

        /** Answers each path from its list of DICOM JSON items, honouring limit and offset; an empty page is a 204. */
        static Function<Request, Reply> serving(Map<String, List<String>> items) {
            return request -> {
                List<String> all = items.get(request.path());
                if (all == null) {
                    return new Reply(404, Map.of(), "");
                }
                int offset = Integer.parseInt(request.query().getOrDefault("offset", "0"));
                int limit = Integer.parseInt(request.query().getOrDefault("limit", String.valueOf(Integer.MAX_VALUE)));
                List<String> page =
                        all.subList(Math.min(offset, all.size()), (int) Math.min((long) offset + limit, all.size()));
                return page.isEmpty()
                        ? new Reply(204, Map.of(), "")
                        : new Reply(200, Map.of(), "[" + String.join(",", page) + "]");
            };
        }

        private static Request request(HttpExchange exchange) {
            Map<String, String> query = new HashMap<>();
            String raw = exchange.getRequestURI().getRawQuery();
            if (raw != null) {
                for (String pair : raw.split("&")) {
                    int eq = pair.indexOf('=');
                    query.put(
                            URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders()
                    .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.getFirst()));
            return new Request(exchange.getRequestURI().getPath(), query, headers, System.nanoTime());
        }
    }
}
