package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The alert rules in {@code deploy/prometheus} are valid Prometheus rules and do what their unit tests say,
 * checked with Prometheus's own {@code promtool} (Debian's {@code prometheus} package), and every alert's
 * runbook link lands on a section of {@code docs/operations.md}. Without promtool these tests fail: rules
 * that were never loaded are rules that may never fire.
 */
class PrometheusRulesTests {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path RULES = ROOT.resolve("deploy/prometheus/warden-alerts.yml");
    static final Path RULE_TESTS = ROOT.resolve("deploy/prometheus/warden-alerts.test.yml");
    static final Path OPERATIONS = ROOT.resolve("docs/operations.md");

    static @Nullable String promtool;

    @BeforeAll
    static void findPromtool() {
        promtool = List.of("/usr/bin/promtool", "/usr/local/bin/promtool").stream()
                .filter(p -> Files.isExecutable(Path.of(p)))
                .findFirst()
                .orElse(null);
        if (promtool == null) {
            promtool = onPath();
        }
        assertThat(promtool)
                .as(
                        "promtool is needed to check the alert rules in deploy/prometheus: install Debian's "
                                + "`prometheus` package (sudo apt-get install prometheus; .ci/run does), or put promtool on the PATH")
                .isNotNull();
    }

    @Test
    void theAlertRulesAreValid() throws Exception {
        Run run = promtool("check", "rules", RULES.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    @Test
    void theAlertRulesPassTheirUnitTests() throws Exception {
        Run run = promtool("test", "rules", RULE_TESTS.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasARunbookSectionAndEveryAlertIsUnitTested() throws IOException {
        String rules = Files.readString(RULES);
        String tests = Files.readString(RULE_TESTS);
        String operations = Files.readString(OPERATIONS);
        Matcher alerts = Pattern.compile("- alert: (\\w+)").matcher(rules);
        int count = 0;
        while (alerts.find()) {
            String alert = alerts.group(1);
            count++;
            assertThat(rules)
                    .as("%s links to its runbook", alert)
                    .contains("docs/operations.md#" + alert.toLowerCase() + "\"");
            assertThat(operations)
                    .as("docs/operations.md has a section for %s", alert)
                    .contains("\n### " + alert + "\n");
            assertThat(tests).as("%s fires in warden-alerts.test.yml", alert).contains("alertname: " + alert + "\n");
        }
        assertThat(count).isGreaterThanOrEqualTo(4);
        assertThat(rules)
                .contains(
                        "- alert: WardenAuditRecordsLost",
                        "- alert: WardenKillSwitchSelfTestFailed",
                        "- alert: WardenDecisionPointUnavailable",
                        "- alert: WardenAuditAppendSlow");
    }

    record Run(int exitCode, String output) {}

    static Run promtool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(promtool));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool " + String.join(" ", args) + " did not finish within 60 s:\n" + output);
        }
        return new Run(process.exitValue(), output);
    }

    private static @Nullable String onPath() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "promtool");
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
