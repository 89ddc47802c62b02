package io.warden.specialist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flags first, the environment as their fallback, and a message naming what to set for anything missing or wrong. */
class SpecialistSettingsTests {

    @TempDir
    Path dir;

    @Test
    void flagsOverTheEnvironmentWithTheDemoDefaults() throws IOException {
        Path secret = Files.writeString(dir.resolve("agent.secret"), "s3cret\n", StandardCharsets.UTF_8);
        SpecialistSettings settings = SpecialistSettings.parse(
                new String[] {"--client-id", "agent-7", "--secret-file", secret.toString(), "--text", "air around lung"
                },
                Map.of("WARDEN_URL", "http://warden:8080/", "WARDEN_CLIENT_ID", "ignored", "WARDEN_PURPOSE", "hresch"));

        assertThat(settings.warden()).hasToString("http://warden:8080");
        assertThat(settings.clientId()).isEqualTo("agent-7");
        assertThat(settings.secret()).isEqualTo("s3cret");
        assertThat(settings.purposeOfUse()).isEqualTo("HRESCH");
        assertThat(settings.dataset()).isEqualTo("radiology-reports-deid");
        assertThat(settings.collection()).isEqualTo("demo-radiology-findings");
        assertThat(settings.k()).isEqualTo(5);
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void theRagModelToolComesFromItsFlagOrTheEnvironmentAndIsAToolKey() {
        Map<String, String> env = Map.of("WARDEN_CLIENT_SECRET", "s", "WARDEN_RAG_MODEL", "report-vlm");
        String[] plain = {"--client-id", "a", "--text", "x"};

        assertThat(SpecialistSettings.parse(plain, Map.of("WARDEN_CLIENT_SECRET", "s"))
                        .ragModel())
                .as("no RAG step unless a model tool is named")
                .isNull();
        assertThat(SpecialistSettings.parse(plain, env).ragModel()).isEqualTo("report-vlm");
        assertThat(SpecialistSettings.parse(
                                new String[] {"--client-id", "a", "--text", "x", "--rag-model", "chat-1"}, env)
                        .ragModel())
                .isEqualTo("chat-1");
        assertThat(SpecialistSettings.parse(plain, env).asking("y", null).ragModel())
                .as("another question keeps the model tool")
                .isEqualTo("report-vlm");
        assertThatThrownBy(() -> SpecialistSettings.parse(
                        new String[] {"--client-id", "a", "--text", "x", "--rag-model", "Chat Model"}, env))
                .isInstanceOf(SpecialistSettings.Invalid.class)
                .hasMessageContaining("--rag-model is a tool key");
    }

    @Test
    void theSecretIsNeverAFlag() {
        assertThatThrownBy(() -> SpecialistSettings.parse(
                        new String[] {"--client-id", "a", "--secret", "visible-to-ps", "--text", "x"}, Map.of()))
                .isInstanceOf(SpecialistSettings.Invalid.class)
                .hasMessageContaining("--secret-file");
    }

    @Test
    void whatIsMissingOrMalformedIsNamedWithWhatToSet() {
        Map<String, String> env = Map.of("WARDEN_CLIENT_SECRET", "s");
        assertThatThrownBy(() -> SpecialistSettings.parse(new String[] {"--text", "x"}, env))
                .hasMessageContaining("--client-id is missing: set --client-id or WARDEN_CLIENT_ID");
        assertThatThrownBy(() -> SpecialistSettings.parse(new String[] {"--client-id", "a", "--text", "x"}, Map.of()))
                .hasMessageContaining("WARDEN_CLIENT_SECRET");
        assertThatThrownBy(() -> SpecialistSettings.parse(new String[] {"--client-id", "a"}, env))
                .hasMessageContaining("--text TEXT or --image FILE");
        assertThatThrownBy(() -> SpecialistSettings.parse(
                        new String[] {"--client-id", "a", "--text", "x", "--purpose", "TREAT; drop"}, env))
                .hasMessageContaining("--purpose");
        assertThatThrownBy(() -> SpecialistSettings.parse(
                        new String[] {"--client-id", "a", "--text", "x", "--warden-url", "file:///etc/passwd"}, env))
                .hasMessageContaining("--warden-url");
        assertThatThrownBy(() ->
                        SpecialistSettings.parse(new String[] {"--client-id", "a", "--text", "x", "--k", "0"}, env))
                .hasMessageContaining("--k");
        assertThatThrownBy(() -> SpecialistSettings.parse(new String[] {"--client-id", "a", "--txet", "x"}, env))
                .hasMessageContaining("unknown flag --txet");
    }
}
