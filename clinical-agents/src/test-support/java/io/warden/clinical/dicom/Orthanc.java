package io.warden.clinical.dicom;

import io.warden.clinical.dicom.DicomWebSource.Auth;
import io.warden.clinical.dicom.DicomWebSource.Settings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real Orthanc (Debian's {@code /usr/sbin/Orthanc}) with its DICOMweb plugin, started by a test with a generated
 * configuration in a temporary folder, on a loopback port, behind HTTP basic authentication, and loaded with the
 * files a test names. Shared by the clinical module's DICOMweb tests and the app's end-to-end ones (which name the
 * port and password in Warden's configuration before Orthanc starts). {@link #close} stops it and removes its folder.
 */
public final class Orthanc implements AutoCloseable {

    public static final Path EXECUTABLE = Path.of("/usr/sbin/Orthanc");
    public static final Path DICOMWEB_PLUGIN = Path.of("/usr/share/orthanc/plugins/libOrthancDicomWeb.so");
    /** The user Orthanc lets in; its password is the one {@link #start} was given. */
    public static final String USER = "warden";

    private final Process process;
    private final Path home;
    private final String http;
    private final String password;

    private Orthanc(Process process, Path home, String http, String password) {
        this.process = process;
        this.home = home;
        this.http = http;
        this.password = password;
    }

    /** Its REST root, e.g. {@code http://127.0.0.1:8042}. */
    public String http() {
        return http;
    }

    /** Its DICOMweb (QIDO-RS / WADO-RS) root. */
    public String dicomWeb() {
        return http + "/dicom-web";
    }

    public String password() {
        return password;
    }

    /** A DICOMweb source reading this Orthanc with its credentials. */
    public DicomWebSource source(byte[] salt, Settings settings) {
        return new DicomWebSource(URI.create(dicomWeb()), new Auth.Basic(USER, password), salt, settings);
    }

    /** Orthanc on a free port with a fresh password, loaded with {@code uploads} (paths relative to {@code data}). */
    public static Orthanc start(Path data, List<String> uploads) throws Exception {
        return start(data, uploads, freePort(), UUID.randomUUID().toString());
    }

    /** Orthanc on {@code httpPort} with {@code password}, loaded with {@code uploads} (relative to {@code data}). */
    public static Orthanc start(Path data, List<String> uploads, int httpPort, String password) throws Exception {
        if (!Files.isExecutable(EXECUTABLE) || !Files.isRegularFile(DICOMWEB_PLUGIN)) {
            throw new IllegalStateException("The DICOMweb tests run a real Orthanc (" + EXECUTABLE
                    + ") with its DICOMweb plugin (" + DICOMWEB_PLUGIN + "): apt-get install orthanc orthanc-dicomweb");
        }
        Path home = Files.createTempDirectory("warden-orthanc");
        int dicomPort = freePort();
        String config = """
                {"Name": "warden-test", "StorageDirectory": "%1$s", "IndexDirectory": "%1$s",
                 "HttpPort": %2$d, "DicomServerEnabled": false, "DicomPort": %3$d,
                 "RemoteAccessAllowed": false, "AuthenticationEnabled": true, "RegisteredUsers": {"%6$s": "%4$s"},
                 "HttpCompressionEnabled": false, "Plugins": ["%5$s"],
                 "DicomWeb": {"Enable": true, "Root": "/dicom-web/", "EnableWado": false}}
                """.formatted(home.resolve("db"), httpPort, dicomPort, password, DICOMWEB_PLUGIN, USER);
        Path configFile = home.resolve("orthanc.json");
        Files.writeString(configFile, config);
        Path log = home.resolve("orthanc.log");
        Process process = new ProcessBuilder(EXECUTABLE.toString(), configFile.toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Orthanc orthanc = new Orthanc(process, home, "http://127.0.0.1:" + httpPort, password);
        try {
            orthanc.awaitStarted(log);
            orthanc.upload(data, uploads);
        } catch (Exception | AssertionError e) {
            orthanc.close();
            throw e;
        }
        return orthanc;
    }

    private void awaitStarted(Path log) throws Exception {
        try (HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "Orthanc exited with " + process.exitValue() + ":\n" + Files.readString(log));
                }
                try {
                    HttpResponse<String> response =
                            client.send(request("/system").build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "Orthanc did not answer /system within a minute:\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
    }

    /** Posts each file; Orthanc drops a kept-alive connection after a second idle, so a failed post is tried again. */
    private void upload(Path data, List<String> uploads) throws Exception {
        try (HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            for (String name : uploads) {
                HttpRequest post = request("/instances")
                        .header("Content-Type", "application/dicom")
                        .POST(HttpRequest.BodyPublishers.ofFile(data.resolve(name)))
                        .build();
                HttpResponse<String> response;
                try {
                    response = client.send(post, HttpResponse.BodyHandlers.ofString());
                } catch (IOException closed) {
                    response = client.send(post, HttpResponse.BodyHandlers.ofString());
                }
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(
                            "Orthanc refused " + name + " (" + response.statusCode() + "): " + response.body());
                }
            }
        }
    }

    /** A GET of Orthanc's REST API (not DICOMweb) with its credentials, e.g. {@code /instances/<id>/frames/0/rendered}. */
    public byte[] get(String path) throws Exception {
        try (HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<byte[]> response = client.send(request(path).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + " answered " + response.statusCode());
            }
            return response.body();
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(http + path))
                .timeout(Duration.ofSeconds(30))
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((USER + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** Stops Orthanc and anything it started, then removes its folder. */
    @Override
    public void close() throws Exception {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(15, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                handle.destroyForcibly();
            }
        }
        try (Stream<Path> walk = Files.walk(home)) {
            walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }

    /** A loopback port free now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
