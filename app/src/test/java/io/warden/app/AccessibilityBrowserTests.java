package io.warden.app;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.interactions.Actions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Every portal page in a real browser against axe-core (from the npm registry, pinned, installed under
 * {@code target/axe}): no serious or critical violation, no horizontal page scroll at tablet widths, and a
 * navigation that links only to pages checked here. The governance path (register, approve, kill switch) is walked
 * with the keyboard alone. With {@code -Dwarden.screenshots.dir=...} it also saves the README's inventory picture.
 */
class AccessibilityBrowserTests extends BrowserTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    /** axe-core's version; a new one may find new violations, so it moves on purpose, not by itself. */
    static final String AXE = "axe-core@4.14.1";

    static final Path AXE_DIR = Path.of("target/axe");

    /**
     * Every page the navigation links to, checked below. A link added to the navigation without a line here fails
     * {@link #everyPortalPagePassesAxeAndFitsATablet()}: add its path, and it is checked.
     */
    static final List<String> NAVIGATION_PAGES = List.of(
            "/portal",
            "/portal/inbox",
            "/portal/approvals",
            "/portal/approvals/calls",
            "/portal/agents",
            "/portal/agents/new",
            "/portal/map",
            "/portal/catalog",
            "/portal/data-sources",
            "/portal/kill-switches",
            "/portal/break-glass",
            "/portal/entitlements",
            "/portal/audit",
            "/portal/policy",
            "/portal/rules",
            "/portal/analytics",
            "/portal/cohorts",
            "/portal/collections");

    @Test
    void everyPortalPagePassesAxeAndFitsATablet() throws Exception {
        String axe = axeSource();
        String demo = agentByClientId("demo-wound-classifier").get("id").asString();
        Map<String, String> pages = new LinkedHashMap<>();
        NAVIGATION_PAGES.forEach(path -> pages.put(path, path));
        // pages reached from others rather than from the navigation
        pages.put("agent detail", "/portal/agents/" + demo);
        pages.put("inventory, filtered to nothing", "/portal/agents?q=no-such-agent-" + UUID.randomUUID());
        pages.put("inventory sorted by name", "/portal/agents?sort=NAME");
        pages.put("a data scope in the catalogue", "/portal/catalog/scopes/imaging-ct-deid");
        pages.put("a tool in the catalogue", "/portal/catalog/tools/text-search");

        WebDriver ada = signedIn("ada.admin");
        assertThat(navigation(ada))
                .as("every page the navigation links to is checked here: add new ones to NAVIGATION_PAGES")
                .isSubsetOf(NAVIGATION_PAGES)
                .as("an administrator may follow every link")
                .containsExactlyInAnyOrderElementsOf(NAVIGATION_PAGES);
        assertThat(ada.findElement(By.id("me-name")).getText()).isEqualTo("Ada Admin (demo)");
        assertThat(ada.findElement(By.id("me-roles")).getText()).isEqualTo("Administrator");

        List<String> sideways = new ArrayList<>();
        Map<String, List<String>> violations = check(ada, axe, pages, sideways);
        // refused: the page that says so is a portal page too
        WebDriver otto = signedIn("otto.owner");
        otto.get(client.base() + "/portal/kill-switches");
        List<String> refused = axe(otto, axe);
        if (!refused.isEmpty()) {
            violations.put("forbidden", refused);
        }
        assertThat(violations)
                .as("serious or critical axe-core violations per page")
                .isEmpty();
        assertThat(sideways).as("pages wider than a tablet").isEmpty();
    }

    /**
     * The pages one reaches from others, each with the data that fills its tables and forms, made through the API: a
     * collection with versions and one without, a parked call's approval page, an audit record, the data sources with
     * one registered, an MCP server in the catalogue, and inboxes with approvals, tasks and notifications.
     */
    @Test
    void pagesFilledWithDataPassAxeAndFitATablet() throws Exception {
        String axe = axeSource();
        String tag = UUID.randomUUID().toString().substring(0, 8);

        // an agent waiting for approval (the admins' inbox) and one due for recertification (its owner's inbox)
        String pending = AgentActionsPortalTests.registered("A11y pending " + tag);
        String due = AgentActionsPortalTests.activeAgentOfOtto("A11y recertify " + tag);
        jdbc.sql("update agent set recertify_by = :t where id = cast(:id as uuid)")
                .param("t", Timestamp.from(Instant.now().minus(Duration.ofDays(1))))
                .param("id", due)
                .update();
        AgentActionsPortalTests.sweepWithout("risk-signal", "orphaned-owner");

        String empty = "a11y-" + tag;
        governedCollection(empty, "imaging-ct-deid");

        Files.createDirectories(DATA.resolve("archives/a11y-" + tag));
        var source = client.call(
                "POST",
                "/api/v1/data-sources",
                admin(),
                DataSourceApiTests.body(
                        "a11y-" + tag, DATA.resolve("archives/a11y-" + tag).toString(), "imaging-ct-deid"));
        assertThat(source.status()).as(source.body()).isEqualTo(201);

        String host = "a11y-" + tag + ".example.org";
        assertThat(client.call("POST", "/api/v1/egress-hosts", admin(), """
                        {"host":"%s","allowPrivate":false,"reason":"accessibility test"}""".formatted(host))
                        .status())
                .isEqualTo(201);
        var server = client.call("POST", "/api/v1/mcp-servers", admin(), """
                {"key":"a11y-%s","displayName":"Accessibility FHIR","url":"https://%s/mcp","phiApproved":false,
                 "auth":{"kind":"NONE"}}""".formatted(tag, host));
        assertThat(server.status()).as(server.body()).isEqualTo(201);

        long sequence = client.get("/api/v1/audit/events?agent=" + pending + "&action=agent.registered", compliance())
                .json()
                .get("items")
                .get(0)
                .get("sequence")
                .asLong();

        collections.replace(
                "a11y-notes",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(
                        embedder, List.of(new TextItem("n1", "CT chest axial", Map.of("dataset", "imaging-ct-deid")))));
        governedCollection("a11y-notes", "imaging-ct-deid");
        String parked;
        CallApprovalTests.mark("text-search", true);
        try {
            var call = client.call("POST", "/gateway/v1/text-search", agent(), """
                    {"collection":"a11y-notes","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"CT chest","k":1}""");
            assertThat(call.status()).as(call.body()).isEqualTo(202);
            parked = call.json().get("approvalId").asString();
        } finally {
            CallApprovalTests.mark("text-search", false);
        }

        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("a collection with its versions", "/portal/collections/demo-radiology-findings");
        pages.put("a collection without a version", "/portal/collections/" + empty);
        pages.put("a parked call's approval page", "/portal/approvals/calls/" + parked);
        pages.put("the call approvals with a call waiting", "/portal/approvals/calls");
        pages.put("an audit record", "/portal/audit/" + sequence);
        pages.put("the data sources with one registered", "/portal/data-sources");
        pages.put("an MCP server in the catalogue", "/portal/catalog/mcp-servers/a11y-" + tag);
        pages.put("the inbox with an approval to decide", "/portal/inbox");
        pages.put("an agent waiting for approval", "/portal/agents/" + pending);

        WebDriver ada = signedIn("ada.admin");
        List<String> sideways = new ArrayList<>();
        Map<String, List<String>> violations = check(ada, axe, pages, sideways);
        ada.get(client.base() + "/portal/inbox");
        assertThat(ada.findElements(By.cssSelector("tr[data-agent='" + pending + "']")))
                .as("the inbox checked had the approval to decide")
                .isNotEmpty();

        WebDriver otto = signedIn("otto.owner");
        Map<String, String> owners = new LinkedHashMap<>();
        owners.put("the owner's inbox with a recertification and its notification", "/portal/inbox");
        owners.put("an agent the owner may attest", "/portal/agents/" + due);
        BrowserTests.wait(otto).withTimeout(Duration.ofSeconds(30)).until(b -> {
            b.get(client.base() + "/portal/inbox");
            return requireNonNull(b.getPageSource()).contains("Recertify A11y recertify " + tag);
        });
        violations.putAll(check(otto, axe, owners, sideways));
        assertThat(otto.findElements(By.id("action-attest"))).hasSize(1);

        assertThat(violations)
                .as("serious or critical axe-core violations per page")
                .isEmpty();
        assertThat(sideways).as("pages wider than a tablet").isEmpty();
    }

    /**
     * Opens each page (label to path), checks that it has one heading 1 and records its serious and critical axe-core
     * violations (returned by label) and whether it scrolls sideways at 768 and 1024 px (added to {@code sideways}).
     */
    static Map<String, List<String>> check(
            WebDriver browser, String axe, Map<String, String> pages, List<String> sideways) {
        Map<String, List<String>> violations = new LinkedHashMap<>();
        for (var page : pages.entrySet()) {
            browser.manage().window().setSize(new Dimension(1280, 1000));
            browser.get(client.base() + page.getValue());
            assertThat(browser.findElements(By.tagName("h1"))).as(page.getKey()).hasSize(1);
            List<String> found = axe(browser, axe);
            if (!found.isEmpty()) {
                violations.put(page.getKey(), found);
            }
            for (int width : new int[] {768, 1024}) {
                browser.manage().window().setSize(new Dimension(width, 1000));
                Number overflow = (Number) requireNonNull(((JavascriptExecutor) browser)
                        .executeScript("return document.documentElement.scrollWidth - window.innerWidth"));
                if (overflow.intValue() > 0) {
                    sideways.add(
                            "%s scrolls %d px sideways at %d px".formatted(page.getKey(), overflow.intValue(), width));
                }
            }
            browser.manage().window().setSize(new Dimension(1280, 1000));
        }
        return violations;
    }

    /** Each role sees the links it may follow, and only those (the same rules as PortalTests' role matrix). */
    @Test
    void theNavigationShowsEachRoleWhatItMayUse() {
        WebDriver otto = signedIn("otto.owner");
        assertThat(otto.findElement(By.id("me-roles")).getText()).isEqualTo("Agent owner");
        assertThat(navigation(otto))
                .contains("/portal/agents", "/portal/agents/new", "/portal/map", "/portal/cohorts")
                .doesNotContain(
                        "/portal/approvals",
                        "/portal/kill-switches",
                        "/portal/audit",
                        "/portal/data-sources",
                        "/portal/collections",
                        "/portal/policy");
        assertThat(otto.findElements(By.id("nav-security")))
                .as("a group with nothing for this person is not shown")
                .allSatisfy(title -> assertThat(title.isDisplayed()).isFalse());

        WebDriver sam = signedIn("sam.secops");
        assertThat(navigation(sam))
                .contains("/portal/kill-switches", "/portal/break-glass", "/portal/entitlements", "/portal/policy")
                .doesNotContain("/portal/audit", "/portal/agents/new", "/portal/approvals", "/portal/data-sources");
        assertThat(sam.findElement(By.id("me-name")).getText()).isEqualTo("Sam SecOps (demo)");
    }

    /**
     * Register, approve and pull the kill switch with Tab, Enter, Space and typing only: every control on the way is
     * in the tab order and works from the keyboard. The first Tab on a page reaches the skip link.
     */
    @Test
    void registerApproveAndKillByKeyboardAlone() throws Exception {
        String name = "Keyboard agent " + UUID.randomUUID().toString().substring(0, 8);

        WebDriver otto = signedIn("otto.owner");
        new Actions(otto).sendKeys(Keys.TAB).perform();
        assertThat(focused(otto, "a.skip"))
                .as("the first Tab reaches the skip link")
                .isTrue();
        follow(otto, "Register an agent");
        tabTo(otto, "#name").sendKeys(name).perform();
        tabTo(otto, "#kind").sendKeys("RETRIEVAL").perform();
        tabTo(otto, "#purpose").sendKeys("Finds similar CT studies").perform();
        tabTo(otto, "#scope-imaging-ct-deid").sendKeys(Keys.SPACE).perform();
        tabTo(otto, "#tool-text-search").sendKeys(Keys.SPACE).perform();
        tabTo(otto, "form[action$='/portal/agents'] button[type=submit]")
                .sendKeys(Keys.ENTER)
                .perform();
        BrowserTests.wait(otto).until(b -> b.findElements(By.id("agent-status")).size() == 1);
        assertThat(otto.findElement(By.id("agent-status")).getText()).isEqualTo("PENDING_APPROVAL");
        String detail = requireNonNull(otto.getCurrentUrl());

        WebDriver carla = signedIn("carla.compliance");
        follow(carla, "Approvals");
        String reasonId = carla.findElements(By.cssSelector("article.approval")).stream()
                .filter(article ->
                        article.findElement(By.tagName("h2")).getText().equals(name))
                .findFirst()
                .orElseThrow()
                .findElement(By.name("reason"))
                .getDomAttribute("id");
        tabTo(carla, "#" + reasonId).sendKeys("Covered by the CT research DPIA").perform();
        new Actions(carla).sendKeys(Keys.TAB).perform();
        assertThat(((JavascriptExecutor) carla).executeScript("return document.activeElement.textContent"))
                .as("the next Tab after the reason reaches Approve")
                .isEqualTo("Approve");
        new Actions(carla).sendKeys(Keys.ENTER).perform();
        BrowserTests.wait(carla).until(b -> requireNonNull(b.getPageSource()).contains("Approved."));

        otto.get(detail);
        BrowserTests.wait(otto).withTimeout(Duration.ofSeconds(40)).until(b -> {
            b.navigate().refresh();
            return b.findElement(By.id("agent-status")).getText().equals("ACTIVE");
        });
        String clientId = otto.findElement(By.id("agent-client")).getText();

        WebDriver sam = signedIn("sam.secops");
        follow(sam, "Kill switches");
        // the agent by its name: type, Enter finds, Tab reaches the agent found, Space chooses it
        tabTo(sam, "#agent-find").sendKeys(name, Keys.ENTER).perform();
        String choice = "#agent-choices input[type=radio]";
        BrowserTests.wait(sam).until(b -> b.findElements(By.cssSelector(choice)).size() == 1);
        assertThat(sam.findElement(By.cssSelector("#agent-choices label")).getText())
                .contains(name, clientId);
        tabTo(sam, choice).sendKeys(Keys.SPACE).perform();
        tabTo(sam, "#agent-reason").sendKeys("Unexpected bulk export").perform();
        tabTo(sam, "#agent-confirmed").sendKeys(Keys.SPACE).perform();
        tabTo(sam, "#engage-agent button.btn-danger").sendKeys(Keys.ENTER).perform();
        BrowserTests.wait(sam)
                .until(b -> requireNonNull(b.getPageSource())
                        .contains("Engaged: AGENT " + name + " (" + clientId + "), in force on every instance."));

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

    /** The inventory as the README shows it, saved with {@code -Dwarden.screenshots.dir=<folder>}. */
    @Test
    void theInventorySortsByItsHeadersAndSaysWhereTheOrderIs() throws Exception {
        WebDriver ada = signedIn("ada.admin");
        ada.get(client.base() + "/portal/agents?sort=NAME");
        assertThat(ada.findElement(By.xpath("//th[a[starts-with(normalize-space(.), 'Name')]]"))
                        .getDomAttribute("aria-sort"))
                .isEqualTo("ascending");
        assertThat(ada.findElement(By.xpath("//th[a[starts-with(normalize-space(.), 'Registered')]]"))
                        .getDomAttribute("aria-sort"))
                .isNull();
        assertThat(ada.findElement(By.xpath("//th[a[starts-with(normalize-space(.), 'Changed')]]/a"))
                        .getDomAttribute("href"))
                .as("a header sorts by its column and keeps the filters")
                .contains("sort=UPDATED");
        // owner cells only: other tests' agents may carry a UUID in their names
        assertThat(ada.findElements(By.cssSelector("#agents-table tbody td.owner")))
                .isNotEmpty()
                .allSatisfy(owner -> assertThat(owner.getText())
                        .as("owners by name, not by directory id")
                        .isNotBlank()
                        .doesNotContainPattern("[0-9a-f]{8}-[0-9a-f]{4}-"));
        String dir = System.getProperty("warden.screenshots.dir");
        if (dir != null) {
            Files.createDirectories(Path.of(dir));
            Files.copy(
                    ((TakesScreenshot) ada).getScreenshotAs(OutputType.FILE).toPath(),
                    Path.of(dir, "inventory.png"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The paths the signed-in person's navigation links to. */
    static TreeSet<String> navigation(WebDriver browser) {
        TreeSet<String> paths = new TreeSet<>();
        browser.findElements(By.cssSelector("nav[aria-label=Main] a")).stream()
                .filter(link -> link.isDisplayed())
                .forEach(link -> paths.add(
                        URI.create(requireNonNull(link.getDomProperty("href"))).getPath()));
        return paths;
    }

    /** Follows a navigation link by tabbing to it and pressing Enter. */
    static void follow(WebDriver browser, String linkText) {
        tabToLink(browser, linkText);
        new Actions(browser).sendKeys(Keys.ENTER).perform();
        BrowserTests.wait(browser)
                .until(b -> b.findElements(By.cssSelector("a[aria-current=page]")).stream()
                        .anyMatch(link -> link.getText().startsWith(linkText)));
    }

    private static void tabToLink(WebDriver browser, String linkText) {
        for (int i = 0; i < 300; i++) {
            new Actions(browser).sendKeys(Keys.TAB).perform();
            Object text = ((JavascriptExecutor) browser)
                    .executeScript("const e = document.activeElement; return e.tagName === 'A' ? e.textContent : ''");
            if (text != null && text.toString().startsWith(linkText)) {
                return;
            }
        }
        throw new AssertionError("Tab never reaches the link " + linkText);
    }

    /** Presses Tab until the element matching the selector has the focus; the returned actions type into it. */
    static Actions tabTo(WebDriver browser, String selector) {
        for (int i = 0; i < 300; i++) {
            if (focused(browser, selector)) {
                return new Actions(browser);
            }
            new Actions(browser).sendKeys(Keys.TAB).perform();
        }
        throw new AssertionError("Tab never reaches " + selector);
    }

    static boolean focused(WebDriver browser, String selector) {
        return Boolean.TRUE.equals(((JavascriptExecutor) browser)
                .executeScript(
                        "return document.activeElement !== null && document.activeElement.matches(arguments[0])",
                        selector));
    }

    /** axe-core's serious and critical violations on the page shown, one line each; empty when none. */
    @SuppressWarnings("unchecked")
    static List<String> axe(WebDriver browser, String axeSource) {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript(axeSource);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        return (List<String>) requireNonNull(js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ['violations'] })
                  .then(result => done(result.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.impact + ' ' + v.id + ' (' + v.help + '): '
                      + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', '))))
                  .catch(e => done(['axe failed: ' + e]));"""));
    }

    /** axe-core from the npm registry, installed once under {@code target/axe}; later runs reuse it. */
    static synchronized String axeSource() throws Exception {
        Files.createDirectories(AXE_DIR);
        Path installed = AXE_DIR.resolve("node_modules/axe-core/package.json");
        String version = AXE.substring(AXE.lastIndexOf('@') + 1);
        if (!Files.exists(installed)
                || !Files.readString(installed, StandardCharsets.UTF_8).contains("\"version\": \"" + version + "\"")) {
            Files.writeString(AXE_DIR.resolve("package.json"), "{\"private\": true}\n", StandardCharsets.UTF_8);
            Path log = AXE_DIR.resolve("npm-install.log");
            Process npm;
            try {
                npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", AXE)
                        .directory(AXE_DIR.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
            } catch (IOException e) {
                throw new AssertionError("The accessibility tests need Node.js and npm on the PATH: " + e, e);
            }
            if (!npm.waitFor(5, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new AssertionError("npm install " + AXE + " did not finish in 5 minutes; its log: " + log);
            }
            assertThat(npm.exitValue())
                    .as("npm install %s; its log:%n%s", AXE, Files.readString(log, StandardCharsets.UTF_8))
                    .isZero();
        }
        return Files.readString(AXE_DIR.resolve("node_modules/axe-core/axe.min.js"), StandardCharsets.UTF_8);
    }

    /** Signed in by keyboard too: type, Tab, type, Enter. */
    @Override
    WebDriver signedIn(String username) {
        WebDriver browser = browser(1280);
        browser.findElement(By.name("username")).sendKeys(username, Keys.TAB, "warden-demo", Keys.ENTER);
        return onTheDashboard(browser);
    }
}
