package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The SBOM that {@code package} writes ({@code target/warden.cdx.json}) describes the jar that {@code package} built:
 * every library inside {@code warden.jar} is a component of the BOM, with the SHA-256 of the very bytes shipped. Runs
 * after package (failsafe, {@code ./mvnw verify}), on what the release attaches and attests.
 */
class SbomIT {

    static final Path TARGET = Path.of("target");
    static final Path BOM = TARGET.resolve("warden.cdx.json");
    static final Path JAR = TARGET.resolve("warden.jar");
    static final String LIB = "BOOT-INF/lib/";

    /** Added by Spring Boot's repackager to extract the layers; no dependency, and the images leave it out. */
    static final String JARMODE_TOOLS = "spring-boot-jarmode-tools-";

    @Test
    void theBomDescribesWardensApplication() throws IOException {
        JsonNode bom = JsonMapper.shared().readTree(Files.readString(BOM));
        assertThat(bom.path("bomFormat").asString()).isEqualTo("CycloneDX");
        assertThat(bom.path("specVersion").asString()).isEqualTo("1.6");
        assertThat(bom.path("serialNumber").asString()).startsWith("urn:uuid:");
        JsonNode component = bom.path("metadata").path("component");
        assertThat(component.path("type").asString()).isEqualTo("application");
        assertThat(component.path("group").asString()).isEqualTo("io.warden");
        assertThat(component.path("name").asString()).isEqualTo("warden-app");
        try (JarFile jar = new JarFile(JAR.toFile())) {
            assertThat(component.path("version").asString())
                    .as("the version of the jar beside it")
                    .isEqualTo(jar.getManifest().getMainAttributes().getValue("Implementation-Version"));
        }
        assertThat(bom.path("dependencies").isArray())
                .as("the dependency graph")
                .isTrue();
    }

    @Test
    void everyLibraryInTheJarIsAComponentWithTheHashOfTheBytesShipped() throws Exception {
        JsonNode bom = JsonMapper.shared().readTree(Files.readString(BOM));
        Map<String, JsonNode> byFileName = new HashMap<>();
        for (JsonNode component : bom.path("components")) {
            assertThat(component.path("purl").asString())
                    .as("%s has a package URL", component.path("name").asString())
                    .startsWith("pkg:maven/");
            byFileName.put(fileName(component), component);
        }
        int libraries = 0;
        boolean onnxRuntime = false;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            for (JarEntry entry : jar.stream().toList()) {
                String name = entry.getName();
                if (!name.startsWith(LIB) || !name.endsWith(".jar")) {
                    continue;
                }
                String file = name.substring(LIB.length());
                if (file.startsWith(JARMODE_TOOLS)) {
                    continue;
                }
                libraries++;
                JsonNode component = byFileName.get(file);
                assertThat(component)
                        .as("%s, shipped in warden.jar, is in the SBOM", file)
                        .isNotNull();
                String sha256 = sha256(jar, entry);
                assertThat(hashes(component, "SHA-256"))
                        .as("the SBOM's SHA-256 of %s is that of the bytes shipped", file)
                        .contains(sha256);
                onnxRuntime |= file.startsWith("onnxruntime");
            }
        }
        assertThat(libraries).as("libraries in warden.jar").isGreaterThan(100);
        assertThat(onnxRuntime)
                .as("ONNX Runtime, CPU or GPU build, is among them")
                .isTrue();
        assertThat(byFileName.keySet())
                .as("Warden's own modules are components too")
                .anyMatch(f -> f.startsWith("warden-audit-"))
                .anyMatch(f -> f.startsWith("warden-policy-"));
    }

    static String fileName(JsonNode component) {
        String purl = component.path("purl").asString();
        int classifier = purl.indexOf("classifier=");
        String suffix = "";
        if (classifier >= 0) {
            String rest = purl.substring(classifier + "classifier=".length());
            int end = rest.indexOf('&');
            suffix = "-" + (end < 0 ? rest : rest.substring(0, end));
        }
        return component.path("name").asString() + "-"
                + component.path("version").asString() + suffix + ".jar";
    }

    static List<String> hashes(JsonNode component, String algorithm) {
        List<String> hashes = new ArrayList<>();
        for (JsonNode hash : component.path("hashes")) {
            if (hash.path("alg").asString().equals(algorithm)) {
                hashes.add(hash.path("content").asString());
            }
        }
        return hashes;
    }

    static String sha256(JarFile jar, JarEntry entry) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(jar.getInputStream(entry), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
