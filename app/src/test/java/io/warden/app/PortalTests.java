package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The portal through the real app and its real sign-in: a person opens the portal, is sent through OpenID
 * Connect to the embedded provider, signs in there and comes back with a session; the pages read through the
 * same services as the API.
 */
class PortalTests extends IntegrationTest {

    /** A browser-like client: cookies kept, redirects followed. */
    static HttpClient browser() {
        return HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    static HttpResponse<String> get(HttpClient browser, String path) throws Exception {
        return browser.send(
                HttpRequest.newBuilder(URI.create(client.base() + path))
                        .header("Accept", "text/html")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Opens the portal, signs in on the provider's page and returns where the browser ends up. */
    static HttpResponse<String> signIn(HttpClient browser, String username) throws Exception {
        HttpResponse<String> login = get(browser, "/portal");
        assertThat(login.uri().getPath())
                .as("sent to the provider's sign-in page")
                .isEqualTo("/login");
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(login.body());
        assertThat(csrf.find()).isTrue();
        String form = "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password=warden-demo&_csrf="
                + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
        return browser.send(
                HttpRequest.newBuilder(URI.create(client.base() + "/login"))
                        .header("Accept", "text/html")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aPersonSignsInThroughOpenIdConnectAndSeesTheDashboard() throws Exception {
        HttpClient browser = browser();
        HttpResponse<String> dashboard = signIn(browser, "carla.compliance");
        assertThat(dashboard.statusCode()).as(dashboard.body()).isEqualTo(200);
        assertThat(dashboard.uri().getPath()).isEqualTo("/portal");
        assertThat(dashboard.body())
                .contains("<h1>Dashboard</h1>", "Carla Compliance (demo)", "Compliance officer")
                .as("the person by name, not by directory id")
                .doesNotContain("3f1c2a9e-7b1d-4e0a-9c11-000000000a04");
        Matcher active = Pattern.compile("data-status=\"ACTIVE\">(\\d+)<").matcher(dashboard.body());
        assertThat(active.find()).isTrue();
        assertThat(Long.parseLong(active.group(1)))
                .as("the demo agents at least")
                .isGreaterThanOrEqualTo(3);
        assertThat(dashboard.body()).contains("id=\"recertification-soon\"", "id=\"orphaned\"", "id=\"dormant-soon\"");
        assertThat(dashboard.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'self'", "frame-ancestors 'none'"));
    }

    @Test
    void theInventoryFiltersByTextStatusAndKind() throws Exception {
        HttpClient browser = browser();
        signIn(browser, "otto.owner");
        HttpResponse<String> wound = get(browser, "/portal/agents?q=wound");
        assertThat(wound.statusCode()).isEqualTo(200);
        assertThat(wound.body()).contains("Demo wound classifier").doesNotContain("Demo CT retrieval agent");
        HttpResponse<String> byName = get(browser, "/portal/agents?q=demo&sort=NAME");
        assertThat(byName.body().indexOf("Demo CT retrieval agent"))
                .as("sorted by name")
                .isLessThan(byName.body().indexOf("Demo imaging specialist"));
        assertThat(byName.body().indexOf("Demo imaging specialist"))
                .isLessThan(byName.body().indexOf("Demo wound classifier"));
        HttpResponse<String> classifiers = get(browser, "/portal/agents?kind=RAG_CLASSIFIER&status=ACTIVE");
        assertThat(classifiers.body()).contains("Demo wound classifier").doesNotContain("Demo imaging specialist");
    }

    @Test
    void withoutASessionThePortalSendsTheBrowserToSignIn() throws Exception {
        HttpClient noRedirects = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpResponse<String> response = noRedirects.send(
                HttpRequest.newBuilder(URI.create(client.base() + "/portal/agents"))
                        .header("Accept", "text/html")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).endsWith("/oauth2/authorization/warden"));
    }

    static HttpResponse<String> post(HttpClient browser, String path, String page, String fields) throws Exception {
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(page);
        assertThat(csrf.find()).as("the page's forms carry a CSRF token").isTrue();
        return browser.send(
                HttpRequest.newBuilder(URI.create(client.base() + path))
                        .header("Accept", "text/html")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                fields + "&_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void complianceApprovesInTheInboxWhereAnOwnerIsToldWhyTheyCannot() throws Exception {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"Portal-approved %s","kind":"RETRIEVAL","purpose":"Portal test","dataScopes":["imaging-ct-deid"],
                 "tools":["text-search"]}""".formatted(UUID.randomUUID()));
        String id = registered.json().get("id").asString();
        String approval = client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();

        HttpClient otto = browser();
        signIn(otto, "otto.owner");
        HttpResponse<String> asOwner = get(otto, "/portal/approvals");
        assertThat(asOwner.body())
                .contains("data-approval=\"" + approval + "\"", "Only administrators and compliance officers decide");
        HttpResponse<String> refused =
                post(otto, "/portal/approvals/" + approval + "/approve", asOwner.body(), "reason=mine");
        assertThat(refused.statusCode()).as("the same role rule as the API").isEqualTo(403);

        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        HttpResponse<String> inbox = get(carla, "/portal/approvals");
        assertThat(inbox.body()).contains("/portal/approvals/" + approval + "/approve");
        HttpResponse<String> approved =
                post(carla, "/portal/approvals/" + approval + "/approve", inbox.body(), "reason=DPIA+ok");
        assertThat(approved.statusCode()).isEqualTo(200);
        assertThat(approved.body()).contains("Approved.");
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> "ACTIVE"
                        .equals(client.get("/api/v1/agents/" + id, admin())
                                .json()
                                .get("status")
                                .asString()));
        assertThat(client.get("/api/v1/approvals/" + approval, admin())
                        .json()
                        .get("decidedBy")
                        .asString())
                .isEqualTo("3f1c2a9e-7b1d-4e0a-9c11-000000000a04");
    }

    @Test
    void securityOperationsPullAndReleaseAKillSwitchWithAConfirmationAndOwnersCannot() throws Exception {
        HttpClient otto = browser();
        signIn(otto, "otto.owner");
        HttpResponse<String> forbidden = get(otto, "/portal/kill-switches");
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(forbidden.body()).contains("You are not allowed here");

        HttpClient sam = browser();
        signIn(sam, "sam.secops");
        HttpResponse<String> page = get(sam, "/portal/kill-switches");
        HttpResponse<String> unconfirmed =
                post(sam, "/portal/kill-switches", page.body(), "scope=TOOL&target=cohort-search&reason=portal+test");
        assertThat(unconfirmed.body()).contains("Tick the confirmation");
        assertThat(client.get("/api/v1/kill-switches", secops()).body()).doesNotContain("cohort-search");

        HttpResponse<String> engaged = post(
                sam,
                "/portal/kill-switches",
                unconfirmed.body(),
                "scope=TOOL&target=cohort-search&reason=portal+test&confirmed=true");
        assertThat(engaged.body())
                .contains("Engaged: TOOL Natural-language imaging cohort search, in force on every instance.");
        assertThat(get(sam, "/portal/kill-switches").body()).contains("on every instance (1 of 1)");
        String id = null;
        for (var each : client.get("/api/v1/kill-switches", secops()).json()) {
            if ("cohort-search".equals(each.get("target").asString())) {
                id = each.get("id").asString();
                assertThat(each.get("engagedBy").asString()).isEqualTo("3f1c2a9e-7b1d-4e0a-9c11-000000000a05");
            }
        }
        assertThat(id).as("engaged through the same service as the API").isNotNull();
        HttpResponse<String> released =
                post(sam, "/portal/kill-switches/" + id + "/release", engaged.body(), "reason=done");
        assertThat(released.body()).contains("Released.");
        assertThat(client.get("/api/v1/kill-switches", secops()).body()).doesNotContain("cohort-search");
    }

    /**
     * Threat: an auditor who cannot see which keys to pin trusts whatever key comes with an export. The audit
     * page shows every trusted key's fingerprint, the same ones the API serves and the start-up log prints.
     */
    @Test
    void theAuditPageShowsTheFingerprintsOfTheTrustedKeys() throws Exception {
        HttpClient browser = browser();
        signIn(browser, "carla.compliance");
        String page = get(browser, "/portal/audit").body();
        var served = client.get("/api/v1/audit/keys", compliance()).json().get("keys");
        assertThat(served).isNotEmpty();
        for (var key : served) {
            assertThat(page)
                    .contains(key.get("fingerprint").asString(), key.get("kid").asString());
        }
        assertThat(page).contains("signs new checkpoints", "--trust sha256:");
    }

    /** Every portal page for every kind of person: the same role rules as the API's endpoints. */
    @Test
    void everyPortalPageForEveryRole() throws Exception {
        record Page(String path, Set<String> allowed) {}
        var people = Map.of(
                "ADMIN", "ada.admin", "OWNER", "otto.owner", "COMPLIANCE", "carla.compliance", "SECOPS", "sam.secops");
        var all = Set.of("ADMIN", "OWNER", "COMPLIANCE", "SECOPS");
        List<Page> pages = List.of(
                new Page("/portal", all),
                new Page("/portal/agents", all),
                new Page("/portal/approvals", all),
                new Page("/portal/map", all),
                new Page("/portal/rules", all),
                new Page("/portal/analytics", all),
                new Page("/portal/cohorts", all),
                new Page("/portal/agents/new", Set.of("ADMIN", "OWNER")),
                new Page("/portal/kill-switches", Set.of("ADMIN", "SECOPS")),
                new Page("/portal/data-sources", Set.of("ADMIN")),
                new Page("/portal/audit", Set.of("ADMIN", "COMPLIANCE")),
                new Page("/portal/collections", Set.of("ADMIN", "COMPLIANCE", "SECOPS")),
                new Page("/portal/break-glass", Set.of("ADMIN", "COMPLIANCE", "SECOPS")),
                new Page("/portal/policy", Set.of("ADMIN", "COMPLIANCE", "SECOPS")));
        for (var person : people.entrySet()) {
            HttpClient browser = browser();
            signIn(browser, person.getValue());
            for (Page page : pages) {
                int expected = page.allowed().contains(person.getKey()) ? 200 : 403;
                assertThat(get(browser, page.path()).statusCode())
                        .as("%s on %s", person.getKey(), page.path())
                        .isEqualTo(expected);
            }
        }
    }

    /** An owner starts a cohort build in the portal; a refusal stands next to its field; compliance cannot start one. */
    @Test
    void anOwnerStartsACohortBuildAndARefusalNamesItsField() throws Exception {
        Path archive = DATA.resolve("archives/portal-pydicom");
        Files.createDirectories(archive);
        Files.copy(
                Path.of("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm"),
                archive.resolve("ct.dcm"),
                StandardCopyOption.REPLACE_EXISTING);
        String builder = agentByClientId("demo-cohort-builder").get("id").asString();
        String source = CohortBuildTests.source("portal-pydicom", archive, "imaging-ct-deid");
        HttpClient otto = browser();
        signIn(otto, "otto.owner");
        HttpResponse<String> page = get(otto, "/portal/cohorts");
        assertThat(page.body())
                .contains("Build a cohort", "Demo imaging cohort builder", "value=\"portal-pydicom\"")
                .as("no server paths")
                .doesNotContain(archive.toString())
                .as("data scopes by title in the builder and source choices")
                .contains("(CT imaging, de-identified")
                .doesNotContain("(imaging-ct-deid");

        HttpResponse<String> refused = post(
                otto, "/portal/cohorts", page.body(), "agentId=" + builder + "&cohort=portal&source=no-such-source");
        assertThat(refused.body())
                .contains("No data source")
                .containsPattern("id=\"source\"[^>]*aria-invalid=\"true\"");

        HttpResponse<String> started =
                post(otto, "/portal/cohorts", refused.body(), "agentId=" + builder + "&cohort=portal&source=" + source);
        assertThat(started.uri().toString()).contains("/portal/cohorts?run=");
        String runId = started.uri().getQuery().replace("run=", "");
        assertThat(client.get("/api/v1/cohort-runs/" + runId, owner())
                        .json()
                        .get("requestedBy")
                        .asString())
                .isEqualTo("3f1c2a9e-7b1d-4e0a-9c11-000000000a02");
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> !client.get("/api/v1/cohort-runs/" + runId, owner())
                        .json()
                        .get("status")
                        .asString()
                        .equals("RUNNING"));

        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        HttpResponse<String> explorer = get(carla, "/portal/cohorts?run=" + runId);
        assertThat(explorer.body()).doesNotContain("Build a cohort").contains("Run " + runId);
        assertThat(explorer.body())
                .as("the run's builder, requester and dataset by name")
                .containsPattern(
                        "id=\"run-agent\"><a href=\"/portal/agents/" + builder + "\">Demo imaging cohort builder</a>")
                .contains(
                        "id=\"run-requester\">Dr. Otto Owner (demo)<", "id=\"run-dataset\">CT imaging, de-identified<");

        HttpClient ada = browser();
        signIn(ada, "ada.admin");
        String sources = get(ada, "/portal/data-sources").body();
        assertThat(sources)
                .as("a source's data scope by title, linked; its key and location to copy")
                .contains("<code>portal-pydicom</code>", "<code>" + archive.toRealPath() + "</code>")
                .containsPattern(
                        "<td class=\"scope\"><a href=\"/portal/catalog/scopes/imaging-ct-deid\">CT imaging, de-identified</a></td>")
                .doesNotContain("<td>imaging-ct-deid</td>");
        assertThat(post(carla, "/portal/cohorts", explorer.body(), "agentId=" + builder + "&cohort=x&source=" + source)
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void anAdminChangesTheDormancyDaysAndABadValueIsRefusedWithItsReason() throws Exception {
        HttpClient ada = browser();
        signIn(ada, "ada.admin");
        HttpResponse<String> page = get(ada, "/portal/rules");
        Matcher version = Pattern.compile("data-rule=\"dormancy\"[\\s\\S]*?name=\"version\" value=\"(\\d+)\"")
                .matcher(page.body());
        assertThat(version.find()).isTrue();
        HttpResponse<String> bad = post(
                ada, "/portal/rules/dormancy", page.body(), "version=" + version.group(1) + "&enabled=true&days=0");
        assertThat(bad.body()).contains("parameters.days");
        HttpResponse<String> saved = post(
                ada, "/portal/rules/dormancy", bad.body(), "version=" + version.group(1) + "&enabled=true&days=120");
        assertThat(saved.body()).contains("Saved dormancy.");
        assertThat(client.get("/api/v1/lifecycle-rules/dormancy", admin())
                        .json()
                        .get("parameters")
                        .get("days")
                        .asInt())
                .isEqualTo(120);
        long now = client.get("/api/v1/lifecycle-rules/dormancy", admin())
                .json()
                .get("version")
                .asLong();
        client.call(
                "PUT",
                "/api/v1/lifecycle-rules/dormancy",
                admin(),
                "{\"enabled\":true,\"parameters\":{\"days\":90},\"version\":" + now + "}");

        HttpClient otto = browser();
        signIn(otto, "otto.owner");
        assertThat(post(
                                otto,
                                "/portal/rules/dormancy",
                                get(otto, "/portal/rules").body(),
                                "version=0&enabled=false&days=5")
                        .statusCode())
                .as("only admins change rules")
                .isEqualTo(403);
    }

    @Test
    void analyticsCountCallsAndDenialsPerAgentAndTool() throws Exception {
        for (int i = 0; i < 2; i++) { // two denials for the demo retrieval agent: dermatology is outside its scopes
            client.call("POST", "/gateway/v1/text-search", agent(), """
                    {"collection":"ct-series","dataset":"dermatology-phi","purposeOfUse":"TREAT","text":"lesion","k":3}""");
        }
        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        HttpResponse<String> page = get(carla, "/portal/analytics?hours=2");
        assertThat(page.statusCode()).isEqualTo(200);
        Matcher row = Pattern.compile(
                        "<td>Demo CT retrieval agent</td><td>text-search</td><td>(\\d+)</td>\\s*<td>(\\d+)</td>")
                .matcher(page.body());
        assertThat(row.find()).as("the agent by its name: " + page.body()).isTrue();
        assertThat(Long.parseLong(row.group(2))).isGreaterThanOrEqualTo(2);
        assertThat(Long.parseLong(row.group(1))).isGreaterThanOrEqualTo(Long.parseLong(row.group(2)));
        String demo = agentByClientId("demo-retrieval-agent").get("id").asString();
        assertThat(get(carla, "/portal/agents/" + demo).body()).contains("id=\"agent-activity\"", "text-search");
        HttpResponse<String> series = carla.send(
                HttpRequest.newBuilder(URI.create(client.base() + "/portal/analytics/series?hours=2"))
                        .header("Accept", "application/json")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(series.statusCode()).isEqualTo(200);
        assertThat(series.body()).contains("\"denials\"");
    }
}
