package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * The image definitions in {@code deploy/image} and the release workflow that builds them. No container engine runs
 * here, so the Dockerfiles are parsed and held to what a read-only, non-root deployment needs; the health check they
 * run is compiled and run against a server that answers as Warden's readiness endpoint does.
 */
class ContainerImageTests {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path CPU = ROOT.resolve("deploy/image/Dockerfile");
    static final Path GPU = ROOT.resolve("deploy/image/Dockerfile.gpu");
    static final Path HEALTH_CHECK = ROOT.resolve("deploy/image/HealthCheck.java");
    static final Path RELEASE = ROOT.resolve(".github/workflows/release.yml");

    /** Spring Boot's default layers ({@code java -Djarmode=tools -jar warden.jar list-layers}). */
    static final List<String> LAYERS =
            List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");

    static final Dockerfile cpu = read(CPU);
    static final Dockerfile gpu = read(GPU);

    static Dockerfile read(Path file) {
        try {
            return Dockerfile.parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void bothImagesRunAsANumericUserThatIsNotRoot() {
        for (Dockerfile image : List.of(cpu, gpu)) {
            Stage last = image.last();
            List<String> users = last.all("USER");
            assertThat(users).as("the final stage sets its user").isNotEmpty();
            String user = users.getLast();
            Matcher numeric = Pattern.compile("(\\d+)(?::(\\d+))?").matcher(user);
            assertThat(numeric.matches())
                    .as("USER %s is numeric, so runAsNonRoot can check it", user)
                    .isTrue();
            String uid = numeric.group(1);
            assertThat(Integer.parseInt(uid)).as("uid").isPositive();
            String gid = numeric.group(2);
            assertThat(gid).as("USER names a group").isNotNull();
            assertThat(Integer.parseInt(gid)).as("gid").isPositive();
            assertThat(String.join("\n", last.all("RUN")))
                    .as("the image creates the user it runs as and gives it the data folder")
                    .contains("--uid " + uid, "--gid " + gid, "chown " + uid + ":" + gid + " /var/lib/warden");
        }
    }

    @Test
    void theUserIsSetAfterEverythingIsInstalled() {
        for (Dockerfile image : List.of(cpu, gpu)) {
            List<Instruction> instructions = image.last().instructions();
            int user = lastIndex(instructions, "USER");
            assertThat(instructions.subList(user, instructions.size()))
                    .as("nothing runs or is copied as Warden's user: the application's files stay root's, read-only")
                    .noneMatch(i -> i.keyword().equals("RUN")
                            || i.keyword().equals("COPY")
                            || i.keyword().equals("ADD"));
        }
    }

    @Test
    void bothImagesExposeWardensPortAndTheProductionManagementPort() throws IOException {
        String applicationYml = Files.readString(ROOT.resolve("app/src/main/resources/application.yml"));
        Matcher port = Pattern.compile("port: \\$\\{WARDEN_PORT:(\\d+)}").matcher(applicationYml);
        assertThat(port.find()).as("application.yml sets server.port").isTrue();
        String management = Files.readString(ROOT.resolve("deploy/config/application-prod.example.yml"));
        Matcher managementPort =
                Pattern.compile("management:\\s+server:\\s+port: (\\d+)").matcher(management);
        assertThat(managementPort.find())
                .as("the production example sets management.server.port")
                .isTrue();
        for (Dockerfile image : List.of(cpu, gpu)) {
            assertThat(words(image.last().all("EXPOSE"))).containsExactly(port.group(1), managementPort.group(1));
        }
    }

    @Test
    void dataAndTemporaryFilesLiveOnVolumesSoTheRootFilesystemCanBeReadOnly() {
        for (Dockerfile image : List.of(cpu, gpu)) {
            Stage last = image.last();
            List<String> volumes = last.all("VOLUME").stream()
                    .flatMap(v -> jsonArray(v).stream())
                    .toList();
            Map<String, String> env = last.env();
            String dataDir = env.get("WARDEN_DATA_DIR");
            assertThat(dataDir).as("the image sets Warden's data folder").isNotNull();
            assertThat(volumes).as("the data folder is a volume").contains(dataDir);
            String tmpDir = systemProperty(last.entrypoint(), "java.io.tmpdir");
            assertThat(tmpDir).as("the entrypoint names the temporary folder").isNotNull();
            assertThat(volumes)
                    .as("the temporary folder (native libraries, Tomcat's work folder) is a volume")
                    .anyMatch(v -> tmpDir.equals(v) || tmpDir.startsWith(v + "/"));
            assertThat(last.workdir()).as("the application folder").isEqualTo("/opt/warden");
            assertThat(volumes).as("the application is not on a volume").noneMatch(v -> v.startsWith("/opt/warden"));
        }
    }

    @Test
    void theHeapIsSizedFromTheContainersLimitNeverFixed() throws IOException {
        for (Path file : List.of(CPU, GPU)) {
            String text = Files.readString(file);
            assertThat(text)
                    .as("%s fixes no heap size: the container's limit does", file.getFileName())
                    .doesNotContain("-Xmx", "-Xms", "MaxHeapSize", "-XX:MaxRAM=");
        }
        for (Dockerfile image : List.of(cpu, gpu)) {
            String options = image.last().env().getOrDefault("JAVA_TOOL_OPTIONS", "");
            Matcher percentage = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(options);
            assertThat(percentage.find())
                    .as("JAVA_TOOL_OPTIONS sizes the heap from the limit")
                    .isTrue();
            assertThat(Integer.parseInt(percentage.group(1)))
                    .as("room is left for what lives off the heap")
                    .isBetween(50, 80);
            assertThat(options).contains("-XX:+ExitOnOutOfMemoryError");
            assertThat(options)
                    .as("no heap dumps: a heap may hold a call's data")
                    .doesNotContain("HeapDumpOnOutOfMemoryError");
        }
    }

    @Test
    void bothImagesStartWardenTheSameWayWithTheArgumentsOfSpringBootRun() throws IOException {
        assertThat(gpu.last().entrypoint()).isEqualTo(cpu.last().entrypoint());
        assertThat(gpu.last().all("HEALTHCHECK")).isEqualTo(cpu.last().all("HEALTHCHECK"));
        assertThat(gpu.last().all("USER")).isEqualTo(cpu.last().all("USER"));
        assertThat(gpu.last().all("VOLUME")).isEqualTo(cpu.last().all("VOLUME"));
        assertThat(gpu.last().all("EXPOSE")).isEqualTo(cpu.last().all("EXPOSE"));
        assertThat(gpu.last().env())
                .as("the GPU image adds to the CPU image's environment")
                .containsAllEntriesOf(cpu.last().env());

        String appPom = Files.readString(ROOT.resolve("app/pom.xml"));
        Matcher jvmArguments =
                Pattern.compile("<jvmArguments>([^<]+)</jvmArguments>").matcher(appPom);
        assertThat(jvmArguments.find()).isTrue();
        List<String> entrypoint = cpu.last().entrypoint();
        assertThat(entrypoint.getFirst()).isEqualTo("java");
        List<String> beforeJar = entrypoint.subList(0, entrypoint.indexOf("-jar"));
        assertThat(String.join(" ", beforeJar))
                .as("the JVM arguments spring-boot:run uses (app/pom.xml)")
                .contains(jvmArguments.group(1).strip());
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(appPom);
        assertThat(finalName.find()).isTrue();
        String jar = finalName.group(1) + ".jar";
        assertThat(entrypoint.getLast()).isEqualTo(cpu.last().workdir() + "/" + jar);
        for (Dockerfile image : List.of(cpu, gpu)) {
            Stage build = image.stage("build");
            assertThat(build.all("COPY"))
                    .as("the build stage takes the jar the Maven build writes")
                    .contains("app/target/" + jar + " " + jar);
            assertThat(String.join("\n", build.all("RUN")))
                    .contains("java -Djarmode=tools -jar " + jar + " extract --layers --destination extracted")
                    .as("the extraction tool, in the jar but in no SBOM, stays out of the image (SbomIT)")
                    .contains("rm extracted/dependencies/lib/" + SbomIT.JARMODE_TOOLS + "*.jar");
            List<String> copies = image.last().all("COPY");
            for (String layer : LAYERS) {
                assertThat(copies)
                        .as("the final stage copies the layer %s into the application folder", layer)
                        .contains("--from=build /build/extracted/" + layer + "/ ./");
            }
        }
    }

    @Test
    void theGpuImageIsBuiltOnCudaFromTheGpuJarAndRefusesTheCpuJar() throws IOException {
        assertThat(gpu.last().from()).isEqualTo("${CUDA_IMAGE}");
        assertThat(gpu.args()).containsKey("CUDA_IMAGE");
        assertThat(gpu.args().get("CUDA_IMAGE")).startsWith("nvidia/cuda:12.").contains("cudnn", "runtime");
        assertThat(String.join("\n", gpu.stage("build").all("RUN")))
                .contains("onnxruntime_gpu-*.jar", "onnxruntime-[0-9]*.jar", "exit 1");
        assertThat(gpu.last().env()).containsEntry("WARDEN_RETRIEVAL_CUDA", "true");
        assertThat(cpu.last().env()).doesNotContainKey("WARDEN_RETRIEVAL_CUDA");
        String rootPom = Files.readString(ROOT.resolve("pom.xml"));
        assertThat(rootPom)
                .as("the gpu profile swaps ONNX Runtime's build")
                .containsPattern("<id>gpu</id>\\s*<properties>\\s*"
                        + "<onnxruntime.artifactId>onnxruntime_gpu</onnxruntime.artifactId>");
        assertThat(Files.readString(ROOT.resolve("clinical-agents/pom.xml")))
                .contains("<artifactId>${onnxruntime.artifactId}</artifactId>");
    }

    @Test
    void bothImagesCarryTheOpenContainerLabels() {
        for (Dockerfile image : List.of(cpu, gpu)) {
            Map<String, String> labels = image.last().labels();
            assertThat(labels)
                    .containsKeys(
                            "org.opencontainers.image.title",
                            "org.opencontainers.image.source",
                            "org.opencontainers.image.licenses",
                            "org.opencontainers.image.version",
                            "org.opencontainers.image.revision",
                            "org.opencontainers.image.base.name");
            assertThat(labels).containsEntry("org.opencontainers.image.licenses", "Apache-2.0");
            assertThat(labels.get("org.opencontainers.image.version")).isEqualTo("${VERSION}");
            assertThat(labels.get("org.opencontainers.image.revision")).isEqualTo("${REVISION}");
        }
    }

    @Test
    void theHealthCheckRunsAProgramTheImageCompilesWithNoShellOrTool() {
        for (Dockerfile image : List.of(cpu, gpu)) {
            List<String> checks = image.last().all("HEALTHCHECK");
            assertThat(checks).hasSize(1);
            String check = checks.getFirst();
            assertThat(check).contains("--interval=", "--timeout=", "--start-period=", "--retries=");
            List<String> command = jsonArray(check.substring(check.indexOf("CMD ") + 4));
            assertThat(command.getFirst()).as("exec form, the image's own java").isEqualTo("java");
            String classpath = command.get(command.indexOf("-cp") + 1);
            assertThat(command.getLast()).isEqualTo("HealthCheck");
            assertThat(image.last().all("COPY")).contains("--from=build /build/healthcheck/ " + classpath + "/");
            assertThat(String.join("\n", image.stage("build").all("RUN")))
                    .contains("javac --release ${JAVA_VERSION} -d healthcheck HealthCheck.java");
            assertThat(image.stage("build").all("COPY")).contains("deploy/image/HealthCheck.java HealthCheck.java");
        }
    }

    @Test
    void theHealthCheckPassesOnlyWhenReadinessAnswersUp(@TempDir Path classes) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int compiled =
                javac.run(null, null, null, "--release", "21", "-d", classes.toString(), HEALTH_CHECK.toString());
        assertThat(compiled).as("HealthCheck.java compiles for Java 21").isZero();

        Map<String, Answer> answers = new LinkedHashMap<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Answer answer = answers.getOrDefault(exchange.getRequestURI().getPath(), new Answer(404, "{}"));
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String port = Integer.toString(server.getAddress().getPort());
            String readiness = "/actuator/health/readiness";

            answers.put(readiness, new Answer(200, "{\"status\":\"UP\"}"));
            assertThat(healthCheck(classes, Map.of("WARDEN_PORT", port)).exitCode())
                    .as("UP on Warden's port")
                    .isZero();
            assertThat(healthCheck(classes, Map.of("MANAGEMENT_SERVER_PORT", port, "WARDEN_PORT", "1"))
                            .exitCode())
                    .as("the management port, where one is set, is the one asked")
                    .isZero();
            assertThat(healthCheck(classes, Map.of("WARDEN_HEALTHCHECK_URL", "http://127.0.0.1:" + port + readiness))
                            .exitCode())
                    .isZero();

            answers.put(readiness, new Answer(503, "{\"status\":\"OUT_OF_SERVICE\"}"));
            Run outOfService = healthCheck(classes, Map.of("WARDEN_PORT", port));
            assertThat(outOfService.exitCode()).as("not ready is unhealthy").isEqualTo(1);
            assertThat(outOfService.output()).contains("503");

            answers.put(readiness, new Answer(200, "{\"status\":\"DOWN\"}"));
            assertThat(healthCheck(classes, Map.of("WARDEN_PORT", port)).exitCode())
                    .as("a 200 that does not say UP is unhealthy")
                    .isEqualTo(1);

            answers.put(readiness, new Answer(200, "{\"status\":\"UP\"}"));
            assertThat(healthCheck(classes, Map.of("WARDEN_PORT", Integer.toString(freePort())))
                            .exitCode())
                    .as("nobody listening is unhealthy")
                    .isEqualTo(1);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theBuildContextHoldsOnlyWhatTheDockerfilesCopy() throws IOException {
        List<String> patterns = Files.readAllLines(ROOT.resolve(".dockerignore")).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
        for (Dockerfile image : List.of(cpu, gpu)) {
            for (String copy : image.stage("build").all("COPY")) {
                String source = copy.split(" ")[0];
                assertThat(inContext(patterns, source))
                        .as("%s, which the build stage copies, is sent to the builder", source)
                        .isTrue();
            }
        }
        for (String kept : List.of(
                ".git/config",
                ".warden/pgdata/warden-passwords.properties",
                ".warden/identity/key",
                "app/src/main/resources/application.yml",
                "app/target/warden-lib.jar",
                "deploy/config/application-prod.example.yml")) {
            assertThat(inContext(patterns, kept))
                    .as("%s stays out of the build context", kept)
                    .isFalse();
        }
    }

    @Test
    void theReleaseBuildsTestsSignsAndPublishesBothImagesWithTheirSboms() throws IOException {
        String text = Files.readString(RELEASE);
        Map<Object, Object> workflow = new Yaml().load(text);
        // YAML 1.1 reads the key "on" as true
        Map<String, Object> on = map(workflow.containsKey("on") ? workflow.get("on") : workflow.get(Boolean.TRUE));
        assertThat(map(on.get("push")).get("tags")).isEqualTo(List.of("v*"));
        Map<String, Object> jobs = map(workflow.get("jobs"));
        assertThat(jobs).containsKeys("build", "image", "release");

        assertThat(runs(map(jobs.get("build"))))
                .as("the release is built and tested as CI builds it")
                .contains("bash .ci/run");

        Map<String, Object> image = map(jobs.get("image"));
        assertThat(map(image.get("permissions")))
                .containsEntry("packages", "write")
                .containsEntry("id-token", "write");
        List<Map<String, Object>> variants =
                list(map(map(image.get("strategy")).get("matrix")).get("include"));
        assertThat(variants)
                .extracting(v -> v.get("dockerfile"))
                .containsExactlyInAnyOrder("deploy/image/Dockerfile", "deploy/image/Dockerfile.gpu");
        assertThat(uses(image)).contains("docker/build-push-action@v6", "sigstore/cosign-installer@v3");
        String imageRuns = runs(image);
        assertThat(imageRuns).contains("-Pgpu", "cosign sign --yes", "cosign attest --yes --type cyclonedx");
        Map<String, Object> push = steps(image).stream()
                .filter(s -> String.valueOf(s.get("uses")).startsWith("docker/build-push-action"))
                .findFirst()
                .orElseThrow();
        Map<String, Object> with = map(push.get("with"));
        assertThat(with).containsEntry("push", true).containsEntry("context", ".");
        assertThat(String.valueOf(with.get("build-args"))).contains("VERSION=", "REVISION=");
        for (Dockerfile dockerfile : List.of(cpu, gpu)) {
            assertThat(dockerfile.last().all("ARG")).contains("VERSION=dev", "REVISION=unknown");
        }

        Map<String, Object> release = map(jobs.get("release"));
        assertThat(map(release.get("permissions"))).containsEntry("contents", "write");
        assertThat(runs(release)).contains("gh release create", ".jar", ".cdx.json", "cosign sign-blob");
        assertThat(text).as("the SBOM is the one package writes").contains("app/target/warden.cdx.json");
        assertThat(Files.readString(ROOT.resolve("app/pom.xml")))
                .containsPattern("<phase>package</phase>\\s*<goals>\\s*<goal>makeBom</goal>")
                .contains("<outputName>warden.cdx</outputName>", "<outputFormat>json</outputFormat>");
    }

    // --- the health check program --------------------------------------------------------------------------------

    record Answer(int status, String body) {}

    record Run(int exitCode, String output) {}

    static Run healthCheck(Path classes, Map<String, String> env) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", classes.toString(), "HealthCheck");
        builder.environment()
                .keySet()
                .removeIf(k -> k.startsWith("WARDEN_")
                        || k.startsWith("MANAGEMENT_")
                        || k.equals("SERVER_PORT")
                        || k.equals("JAVA_TOOL_OPTIONS"));
        builder.environment().putAll(env);
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the health check did not finish within 30 s:\n" + output);
        }
        return new Run(process.exitValue(), output);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    // --- .dockerignore: the last matching pattern decides, a leading ! includes again ------------------------------

    static boolean inContext(List<String> patterns, String path) {
        boolean included = true;
        for (String pattern : patterns) {
            boolean negated = pattern.startsWith("!");
            String glob = negated ? pattern.substring(1) : pattern;
            if (matches(glob, path)) {
                included = negated;
            }
        }
        return included;
    }

    /** Docker's matching: a pattern matches a path or any folder above it; * stays within a name, ** crosses them. */
    static boolean matches(String glob, String path) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex + "(/.*)?").matcher(path).matches();
    }

    // --- the workflow --------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(@Nullable Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(@Nullable Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Map<String, Object>>) value;
    }

    static List<Map<String, Object>> steps(Map<String, Object> job) {
        return list(job.get("steps"));
    }

    static String runs(Map<String, Object> job) {
        return steps(job).stream()
                .filter(s -> s.containsKey("run"))
                .map(s -> String.valueOf(s.get("run")))
                .collect(Collectors.joining("\n"));
    }

    static List<String> uses(Map<String, Object> job) {
        return steps(job).stream()
                .filter(s -> s.containsKey("uses"))
                .map(s -> String.valueOf(s.get("uses")))
                .toList();
    }

    // --- the Dockerfiles -----------------------------------------------------------------------------------------

    static int lastIndex(List<Instruction> instructions, String keyword) {
        for (int i = instructions.size() - 1; i >= 0; i--) {
            if (instructions.get(i).keyword().equals(keyword)) {
                return i;
            }
        }
        throw new AssertionError("no " + keyword);
    }

    static List<String> words(List<String> arguments) {
        return arguments.stream()
                .flatMap(a -> List.of(a.split("\\s+")).stream())
                .toList();
    }

    static List<String> jsonArray(String text) {
        String json = text.strip();
        assertThat(json).as("exec (JSON) form: %s", json).startsWith("[");
        return List.of(JsonMapper.shared().readValue(json, String[].class));
    }

    static @Nullable String systemProperty(List<String> command, String name) {
        return command.stream()
                .filter(a -> a.startsWith("-D" + name + "="))
                .map(a -> a.substring(name.length() + 3))
                .findFirst()
                .orElse(null);
    }

    record Instruction(String keyword, String arguments) {}

    record Stage(String from, @Nullable String name, List<Instruction> instructions) {

        List<String> all(String keyword) {
            return instructions.stream()
                    .filter(i -> i.keyword().equals(keyword))
                    .map(Instruction::arguments)
                    .toList();
        }

        List<String> entrypoint() {
            List<String> entrypoints = all("ENTRYPOINT");
            assertThat(entrypoints).as("one ENTRYPOINT").hasSize(1);
            return jsonArray(entrypoints.getFirst());
        }

        String workdir() {
            List<String> workdirs = all("WORKDIR");
            assertThat(workdirs).isNotEmpty();
            return workdirs.getLast();
        }

        Map<String, String> env() {
            return pairs(all("ENV"));
        }

        Map<String, String> labels() {
            return pairs(all("LABEL"));
        }

        /** ENV and LABEL in their key=value form, values quoted or not. */
        private static Map<String, String> pairs(List<String> arguments) {
            Map<String, String> pairs = new LinkedHashMap<>();
            Matcher pair = Pattern.compile("([\\w.\\-]+)=(\"(?:[^\"\\\\]|\\\\.)*\"|\\S+)")
                    .matcher("");
            for (String argument : arguments) {
                pair.reset(argument);
                int found = 0;
                while (pair.find()) {
                    String value = pair.group(2);
                    if (value.startsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    pairs.put(pair.group(1), value);
                    found++;
                }
                assertThat(found).as("key=value pairs in %s", argument).isPositive();
            }
            return pairs;
        }
    }

    record Dockerfile(Map<String, String> args, List<Stage> stages) {

        Stage last() {
            return stages.getLast();
        }

        Stage stage(String name) {
            return stages.stream()
                    .filter(s -> name.equals(s.name()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no stage " + name));
        }

        /** Instructions, one per logical line (comments dropped, continued lines joined), grouped by FROM. */
        static Dockerfile parse(String text) {
            Map<String, String> globalArgs = new LinkedHashMap<>();
            List<Stage> stages = new ArrayList<>();
            StringBuilder logical = new StringBuilder();
            List<String> lines = new ArrayList<>();
            for (String line : text.split("\n", -1)) {
                String stripped = line.strip();
                if (stripped.startsWith("#")) {
                    continue;
                }
                if (stripped.endsWith("\\")) {
                    logical.append(stripped, 0, stripped.length() - 1).append(' ');
                    continue;
                }
                logical.append(stripped);
                String complete = logical.toString().strip().replaceAll("\\s+", " ");
                logical.setLength(0);
                if (!complete.isEmpty()) {
                    lines.add(complete);
                }
            }
            @Nullable List<Instruction> current = null;
            for (String line : lines) {
                int space = line.indexOf(' ');
                String keyword = line.substring(0, space).toUpperCase(Locale.ROOT);
                String arguments = line.substring(space + 1).strip();
                if (keyword.equals("FROM")) {
                    Matcher from = Pattern.compile("(\\S+)(?: AS (\\S+))?", Pattern.CASE_INSENSITIVE)
                            .matcher(arguments);
                    assertThat(from.matches()).as(line).isTrue();
                    current = new ArrayList<>();
                    stages.add(new Stage(from.group(1), from.group(2), current));
                } else if (current == null) {
                    assertThat(keyword).as("only ARG before the first FROM").isEqualTo("ARG");
                    String[] arg = arguments.split("=", 2);
                    globalArgs.put(arg[0], arg.length == 2 ? arg[1] : "");
                } else {
                    current.add(new Instruction(keyword, arguments));
                }
            }
            assertThat(stages).as("at least one FROM").isNotEmpty();
            return new Dockerfile(globalArgs, stages);
        }
    }
}
