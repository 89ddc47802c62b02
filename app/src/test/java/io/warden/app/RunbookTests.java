package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/runbook.md} names only commands Warden has: every {@code bin/} script exists and runs, every
 * {@code /api/v1} path is mapped by a controller (read from the sources' {@code @RequestMapping} and method
 * mappings), and every link to an alert's section lands on one. A run book read at night must not send anyone
 * to a path that was renamed.
 */
class RunbookTests {

    static final Path ROOT = PrometheusRulesTests.ROOT;
    static final Path RUNBOOK = ROOT.resolve("deploy/runbook.md");

    private static final Pattern CLASS_MAPPING =
            Pattern.compile("@RequestMapping\\((?:path\\s*=\\s*|value\\s*=\\s*)?\"([^\"]*)\"");
    private static final Pattern METHOD_MAPPING = Pattern.compile(
            "@(Get|Post|Put|Delete|Patch)Mapping(?:\\((?:path\\s*=\\s*|value\\s*=\\s*)?\"([^\"]*)\"|\\(\\s*(?:consumes|produces)[^)]*\\)|(?!\\())");

    @Test
    void everyScriptTheRunbookNamesExistsAndRuns() throws IOException {
        Set<String> scripts = matches(Files.readString(RUNBOOK), "\\bbin/([a-z][a-z0-9-]*)");
        assertThat(scripts).contains("warden-token", "warden-dr-drill");
        assertThat(scripts)
                .allSatisfy(script -> assertThat(ROOT.resolve("bin").resolve(script))
                        .as("bin/%s", script)
                        .isExecutable());
    }

    @Test
    void everyApiPathTheRunbookNamesIsMapped() throws IOException {
        Set<String> mapped = mappedPaths();
        assertThat(mapped).contains("/api/v1/kill-switches/self-test", "/api/v1/audit/verify");
        Set<String> named = matches(Files.readString(RUNBOOK), "(/api/v1/[A-Za-z0-9_{}<>./-]*[A-Za-z0-9_}>])");
        assertThat(named).hasSizeGreaterThanOrEqualTo(10);
        List<String> unknown = new ArrayList<>();
        for (String path : named) {
            if (!mapped.contains(normalised(path))) {
                unknown.add(path);
            }
        }
        assertThat(unknown)
                .as("API paths in deploy/runbook.md that no controller maps")
                .isEmpty();
    }

    @Test
    void aPathNoControllerMapsIsCaught() throws IOException {
        Set<String> mapped = mappedPaths();
        assertThat(mapped).doesNotContain(normalised("/api/v1/kill-switches/{id}/retry"));
        assertThat(mapped).contains(normalised("/api/v1/kill-switches/<id>/release"));
    }

    @Test
    void everyAlertLinkLandsOnASectionOfTheOperationsGuide() throws IOException {
        String operations = Files.readString(PrometheusRulesTests.OPERATIONS);
        Set<String> anchors = matches(Files.readString(RUNBOOK), "operations\\.md#(warden[a-z]+)\\)");
        assertThat(anchors).contains("wardenworkflowincident", "wardenauditwritefailing");
        assertThat(anchors)
                .allSatisfy(anchor ->
                        assertThat(operations.toLowerCase(Locale.ROOT)).contains("\n### " + anchor + "\n"));
    }

    /** Every controller path in the main sources, with path variables as {@code {}}. */
    static Set<String> mappedPaths() throws IOException {
        Set<String> paths = new TreeSet<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(ROOT)) {
            sources = files.filter(path -> path.toString().endsWith("Controller.java"))
                    .filter(path -> path.toString().contains("/src/main/java/"))
                    .toList();
        }
        for (Path source : sources) {
            String text = Files.readString(source);
            Matcher base = CLASS_MAPPING.matcher(text);
            String prefix = base.find() ? base.group(1) : "";
            Matcher methods = METHOD_MAPPING.matcher(text);
            while (methods.find()) {
                String sub = methods.group(2) == null ? "" : methods.group(2);
                paths.add(normalised(prefix + sub));
            }
        }
        return paths;
    }

    /** Path variables ({@code {id}}, {@code <id>}, {@code {tool:regex}}) as {@code {}}, no query, no trailing slash. */
    static String normalised(String path) {
        String bare =
                path.replaceAll("\\?.*$", "").replaceAll("\\{[^}]*}", "{}").replaceAll("<[^>]*>", "{}");
        return bare.endsWith("/") && bare.length() > 1 ? bare.substring(0, bare.length() - 1) : bare;
    }

    private static Set<String> matches(String text, String regex) {
        Set<String> found = new TreeSet<>();
        Matcher matcher = Pattern.compile(regex).matcher(text);
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }
}
