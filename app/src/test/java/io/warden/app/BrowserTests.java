package io.warden.app;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The portal in a real browser (Debian's chromium, headless, through its chromedriver): an owner registers
 * an agent, a compliance officer approves it, it becomes ACTIVE, security operations pull its kill switch,
 * the denial shows in the audit search and the CSV export has its row. A failing test leaves screenshots
 * under {@code target/screenshots}.
 */
class BrowserTests extends BrowserTest {

    @Test
    void registerApproveKillAndFindTheDenialInTheAuditTrail() throws Exception {
        String name = "Browser agent " + UUID.randomUUID().toString().substring(0, 8);

        WebDriver otto = signedIn("otto.owner");
        otto.findElement(By.linkText("Register an agent")).click();
        otto.findElement(By.id("name")).sendKeys(name);
        new Select(otto.findElement(By.id("kind"))).selectByValue("RETRIEVAL");
        otto.findElement(By.id("purpose")).sendKeys("Finds similar CT studies");
        otto.findElement(By.id("scope-imaging-ct-deid")).click();
        otto.findElement(By.id("tool-text-search")).click();
        otto.findElement(By.cssSelector("form[action$='/portal/agents'] button[type=submit]"))
                .click();
        wait(otto).until(b -> b.findElements(By.id("agent-status")).size() == 1);
        assertThat(otto.findElement(By.id("agent-status")).getText()).isEqualTo("PENDING_APPROVAL");
        String detail = requireNonNull(otto.getCurrentUrl());

        WebDriver carla = signedIn("carla.compliance");
        carla.findElement(By.linkText("Approvals")).click();
        WebElement approval = carla.findElements(By.cssSelector("article.approval")).stream()
                .filter(article ->
                        article.findElement(By.tagName("h2")).getText().equals(name))
                .findFirst()
                .orElseThrow();
        approval.findElement(By.name("reason")).sendKeys("Covered by the CT research DPIA");
        approval.findElement(By.xpath(".//button[text()='Approve']")).click();
        wait(carla).until(b -> requireNonNull(b.getPageSource()).contains("Approved."));

        otto.get(detail);
        wait(otto).withTimeout(Duration.ofSeconds(40)).until(b -> {
            b.navigate().refresh();
            return b.findElement(By.id("agent-status")).getText().equals("ACTIVE");
        });
        String clientId = otto.findElement(By.id("agent-client")).getText();
        assertThat(clientId).startsWith("agent-");
        // the agent holds a token already when the switch is pulled (the incident then disables its identity)
        String token = client.agentToken(
                clientId, Files.readString(DATA.resolve("secrets").resolve(clientId + ".secret")));

        WebDriver sam = signedIn("sam.secops");
        sam.findElement(By.linkText("Kill switches")).click();
        sam.findElement(By.id("agent-find")).sendKeys(name);
        wait(sam)
                .until(b -> b.findElements(By.cssSelector("#agent-choices input[type=radio]"))
                                .size()
                        == 1);
        sam.findElement(By.cssSelector("#agent-choices input[type=radio]")).click();
        sam.findElement(By.id("agent-reason")).sendKeys("Unexpected bulk export");
        sam.findElement(By.id("agent-confirmed")).click();
        sam.findElement(By.cssSelector("#engage-agent button.btn-danger")).click();
        wait(sam)
                .until(b -> requireNonNull(b.getPageSource())
                        .contains("Engaged: AGENT " + name + " (" + clientId + "), in force on every instance."));

        // the agent calls the gateway and is denied
        var denied = client.call("POST", "/gateway/v1/text-search", token, """
                {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"chest","k":3}""");
        assertThat(denied.status()).isEqualTo(403);

        carla.findElement(By.linkText("Audit")).click();
        carla.findElement(By.id("agent")).sendKeys(clientId);
        new Select(carla.findElement(By.id("decision"))).selectByValue("DENY");
        carla.findElement(By.cssSelector("form[role=search] button")).click();
        wait(carla).until(b -> b.findElement(By.id("audit-records")).getText().contains("KILL_SWITCH"));

        String export = carla.findElement(By.id("export-csv")).getAttribute("href");
        String session = requireNonNull(carla.manage().getCookieNamed("JSESSIONID"), "the session cookie")
                .getValue();
        HttpResponse<String> csv = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(export))
                                .header("Cookie", "JSESSIONID=" + session)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Disposition").orElse("")).contains(".csv");
        assertThat(csv.body()
                        .lines()
                        .filter(line -> line.contains(clientId) && line.contains("KILL_SWITCH"))
                        .count())
                .as("the denial's row in the export")
                .isGreaterThanOrEqualTo(1);

        for (var each : client.get("/api/v1/kill-switches", secops()).json()) {
            if (clientId.equals(each.path("targetClientId").asString(null))) {
                client.call(
                        "POST",
                        "/api/v1/kill-switches/" + each.get("id").asString() + "/release",
                        admin(),
                        "{\"reason\":\"test over\"}");
            }
        }
    }

    /**
     * The map draws the graph and lists the agents that touch PHI in words too. With
     * {@code -Dwarden.screenshots.dir=docs/images} it also saves the dashboard, map and agent-detail pictures
     * shown in the README.
     */
    @Test
    void theAgentMapShowsWhoTouchesPhi() throws Exception {
        WebDriver ada = signedIn("ada.admin");
        ((JavascriptExecutor) ada).executeScript("window.scrollTo(0, 0)");
        keep(ada, "dashboard.png");
        ada.findElement(By.linkText("Agent map")).click();
        wait(ada)
                .until(b -> !b.findElements(By.cssSelector("#agent-map canvas")).isEmpty());
        assertThat(ada.findElement(By.id("phi-agents")).getText()).contains("Demo wound classifier", "dermatology-phi");
        Thread.sleep(1500); // let the force layout settle before the picture
        keep(ada, "agent-map.png");
        ada.findElement(By.linkText("Agents")).click();
        ada.findElement(By.id("q")).sendKeys("wound"); // no submit: htmx replaces the results as one types
        wait(ada)
                .until(b -> b.findElement(By.id("results")).getText().contains("Demo wound classifier")
                        && !b.findElement(By.id("results")).getText().contains("Demo CT retrieval agent"));
        assertThat(ada.getCurrentUrl())
                .as("the filtered view has its own address")
                .contains("q=wound");
        String id = agentByClientId("demo-wound-classifier").get("id").asString();
        ada.get(client.base() + "/portal/agents/" + id);
        assertThat(ada.findElement(By.id("agent-status")).getText()).isEqualTo("ACTIVE");
        keep(ada, "agent-detail.png");
    }

    /** A cohort built from pydicom's DICOM files: the explorer draws its series and highlights a query's matches. */
    @Test
    void theCohortExplorerDrawsARunAndHighlightsWhatAQueryFinds() throws Exception {
        Path fixtures = Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files/dicomdirtests");
        Path archive = DATA.resolve("archives/browser-pydicom");
        try (var files = Files.walk(fixtures)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = archive.resolve(fixtures.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        String builder = agentByClientId("demo-cohort-builder").get("id").asString();
        var started = client.call(
                "POST",
                "/api/v1/cohort-runs",
                owner(),
                "{\"agentId\":\"%s\",\"cohort\":\"explorer\",\"source\":\"%s\"}"
                        .formatted(builder, CohortBuildTests.source("browser-pydicom", archive, "imaging-ct-deid")));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String runId = started.json().get("id").asString();
        Awaitility.await()
                .atMost(Duration.ofSeconds(120))
                .until(() -> client.get("/api/v1/cohort-runs/" + runId, owner())
                        .json()
                        .get("status")
                        .asString()
                        .equals("PUBLISHED"));
        int series = client.get("/api/v1/cohort-runs/" + runId, owner())
                .json()
                .get("series")
                .asInt();

        WebDriver carla = signedIn("carla.compliance");
        carla.findElement(By.linkText("Cohorts")).click();
        new Select(carla.findElement(By.id("run"))).selectByValue(runId);
        carla.findElement(By.cssSelector("form.filters button[type=submit]")).click();
        wait(carla)
                .until(b -> String.valueOf(series)
                                .equals(b.findElement(By.id("cohort-map")).getDomAttribute("data-drawn"))
                        && !b.findElements(By.cssSelector("#cohort-map canvas")).isEmpty());
        assertThat(carla.findElement(By.id("run-status")).getText()).isEqualTo("PUBLISHED");
        assertThat(carla.findElements(By.cssSelector("#progress tbody tr"))).hasSize(7);

        carla.findElement(By.id("q")).sendKeys("radiograph of the cervical spine");
        carla.findElement(By.cssSelector("#cohort-query button[type=submit]")).click();
        wait(carla)
                .until(b -> !b.findElements(By.cssSelector("#cohort-matches tbody tr"))
                        .isEmpty());
        String first =
                carla.findElement(By.cssSelector("#cohort-matches tbody tr")).getText();
        assertThat(first).contains("CR", "SPINE");
        ((JavascriptExecutor) carla).executeScript("document.getElementById('cohort-query').scrollIntoView()");
        Thread.sleep(800); // the highlight's first frames
        keep(carla, "cohort-explorer.png");
    }

    /**
     * A collection's page in a real browser: reached from the navigation, its versions, evaluation and admin forms
     * pass the page checks below (every control labelled, every table captioned with its headers scoped, ids unique).
     */
    @Test
    void aCollectionsPageIsReachableAndItsFormsAndTablesAreLabelled() throws Exception {
        CollectionPagesTests.builtCollection("browser-wounds", "Browser wound photographs");
        var evaluated = client.call(
                "POST",
                "/api/v1/collections/browser-wounds/versions/1/evaluations",
                admin(),
                "{\"k\":3,\"queries\":8}");
        assertThat(evaluated.status()).as(evaluated.body()).isEqualTo(201);

        WebDriver ada = signedIn("ada.admin");
        ada.findElement(By.linkText("Collections")).click();
        ada.findElement(By.linkText("Browser wound photographs")).click();
        wait(ada).until(b -> b.findElements(By.cssSelector("table.confusion")).size() == 1);
        assertThat(ada.findElement(By.id("collection-status")).getText()).isEqualTo("ACTIVE");
        assertThat(accessibilityProblems(ada)).isEmpty();

        ada.findElement(By.id("retire-reason")).sendKeys(" ");
        ada.findElement(By.cssSelector("#retire button[type=submit]")).click();
        wait(ada).until(b -> b.findElements(By.id("form-problem")).size() == 1);
        assertThat(ada.findElement(By.id("retire-reason")).getDomAttribute("aria-invalid"))
                .isEqualTo("true");
        assertThat(accessibilityProblems(ada)).isEmpty();
    }

    /** What the page breaks of the rules every portal page keeps; empty when none. */
    @SuppressWarnings("unchecked")
    static List<String> accessibilityProblems(WebDriver browser) {
        return (List<String>) requireNonNull(((JavascriptExecutor) browser).executeScript("""
                const problems = [];
                if (!document.documentElement.lang) problems.push('html without lang');
                if (!document.title) problems.push('no title');
                if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
                const ids = new Set();
                document.querySelectorAll('[id]').forEach(e => {
                  if (ids.has(e.id)) problems.push('duplicate id ' + e.id);
                  ids.add(e.id);
                });
                document.querySelectorAll('input:not([type=hidden]), select, textarea, progress').forEach(e => {
                  if (e.labels.length === 0 && !e.getAttribute('aria-label')) problems.push('unlabelled ' + (e.id || e.name || e.tagName));
                });
                document.querySelectorAll('table').forEach(t => {
                  if (!t.caption || !t.caption.textContent.trim()) problems.push('table without caption ' + t.id);
                });
                document.querySelectorAll('th').forEach(th => {
                  if (!th.getAttribute('scope')) problems.push('th without scope: ' + th.textContent.trim());
                });
                document.querySelectorAll('a, button').forEach(e => {
                  if (!e.textContent.trim() && !e.getAttribute('aria-label')) problems.push('nameless ' + e.tagName);
                });
                document.querySelectorAll('img').forEach(e => {
                  if (!e.hasAttribute('alt')) problems.push('img without alt');
                });
                return problems;"""));
    }

    private static void keep(WebDriver browser, String name) throws Exception {
        String dir = System.getProperty("warden.screenshots.dir");
        if (dir != null) {
            Files.createDirectories(Path.of(dir));
            Files.copy(
                    ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(),
                    Path.of(dir, name),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
