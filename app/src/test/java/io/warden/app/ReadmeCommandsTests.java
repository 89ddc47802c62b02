package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The README's commands work as written: bin/warden-token gets tokens that the API honours. */
class ReadmeCommandsTests extends IntegrationTest {

    @Test
    void tokenScriptSignsInAPersonAndAnAgent() throws Exception {
        String admin = run("person", "ada.admin");
        assertThat(client.get("/api/v1/agents", admin).status()).isEqualTo(200);

        String agent = run("agent", "demo-retrieval-agent", "demo-retrieval-agent-secret");
        assertThat(client.get("/api/v1/agents", agent).status()).isEqualTo(403);
        assertThat(client.get("/api/v1/agents", null).status()).isEqualTo(401);
    }

    @Test
    void tokenScriptFailsClearlyOnAWrongPassword() throws Exception {
        Process process = start("person", "ada.admin", "not-the-password");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .contains("sign-in failed");
    }

    private static String run(String... args) throws Exception {
        Process process = start(args);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.exitValue())
                .as(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        assertThat(out).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
        return out;
    }

    private static Process start(String... args) throws IOException {
        var command = new ArrayList<>(
                List.of("bash", Path.of("..", "bin", "warden-token").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("WARDEN_URL", client.base());
        return builder.start();
    }
}
