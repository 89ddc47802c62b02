package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.WardenApplication;
import io.warden.audit.AuditQueries;
import io.warden.audit.AuditQuery;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTrail;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * Warden under the {@code prod} profile, on a data folder that a demo start filled first (as a pilot promoted to
 * production would be): the demo people and agents stop working, sign-in is throttled, open portal sessions
 * follow the directory, and the operations endpoints need a token. Each test names the threat it covers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class ProductionProfileTests {

    private static final String SCRAPE_TOKEN = "scrape-" + UUID.randomUUID() + "-" + UUID.randomUUID();
    private static final String PASSWORD = "correct horse battery staple";

    private final int port = IntegrationTest.freePort();
    private final WardenClient client = new WardenClient("http://localhost:" + port);
    private ConfigurableApplicationContext prod;
    private String startLog = "";

    @BeforeAll
    void startWithDemoDataThenUnderProd(CapturedOutput output) throws Exception {
        Path data = Files.createTempDirectory("warden-prod-");
        try (ConfigurableApplicationContext demo = new SpringApplicationBuilder(WardenApplication.class)
                .run(
                        "--server.port=" + port,
                        "--warden.identity.issuer=http://localhost:" + port,
                        "--warden.data-dir=" + data,
                        "--warden.demo.enabled=true")) {
            assertThat(demo.getBean(JdbcClient.class)
                            .sql("select count(*) from local_account where demo and enabled")
                            .query(Long.class)
                            .single())
                    .as("the demo start seeded demo people")
                    .isEqualTo(5);
        }
        int before = output.getOut().length();
        prod = new SpringApplicationBuilder(WardenApplication.class)
                .profiles("prod")
                .run(
                        "--server.port=" + port,
                        "--warden.identity.issuer=http://localhost:" + port,
                        "--warden.data-dir=" + data,
                        "--warden.security.scrape-token=" + SCRAPE_TOKEN,
                        "--warden.security.portal-role-refresh=PT1S",
                        "--warden.security.sign-in.account-max-failures=3",
                        "--warden.security.sign-in.address-max-failures=6");
        startLog = output.getOut().substring(before);
    }

    @AfterAll
    void stop() {
        if (prod != null) {
            prod.close();
        }
    }

    /** Threat: the demo people's published password signs someone in to a production Warden. */
    @Test
    void demoAccountsFoundAtAProdStartAreDisabledLoggedAndAudited() {
        JdbcClient jdbc = prod.getBean(JdbcClient.class);
        assertThat(jdbc.sql("select count(*) from local_account where demo and enabled")
                        .query(Long.class)
                        .single())
                .isZero();
        assertThatThrownBy(() -> client.signIn("ada.admin", "warden-demo")).hasMessageContaining("sign-in failed");
        assertThat(startLog)
                .contains(
                        "Production profile: disabled 5 demo account(s)",
                        "ada.admin",
                        "sam.secops",
                        "suspended 5 demo agent(s)",
                        "demo-retrieval-agent");
        assertThat(audit("security.demo_account_disabled"))
                .extracting(r -> r.event().target().id())
                .contains("ada.admin", "otto.owner", "olivia.owner", "carla.compliance", "sam.secops");
    }

    /** Threat: a demo agent's published client secret gets tokens and data from a production Warden. */
    @Test
    void demoAgentsFoundAtAProdStartAreSuspendedThroughTheRegistry() {
        JdbcClient jdbc = prod.getBean(JdbcClient.class);
        assertThat(jdbc.sql("select distinct status from agent where demo")
                        .query(String.class)
                        .list())
                .containsExactly("SUSPENDED");
        assertThatThrownBy(() -> client.agentToken("demo-retrieval-agent", "demo-retrieval-agent-secret"))
                .hasMessageContaining("client credentials failed");
        assertThat(prod.getBean(AuditTrail.class)
                        .search(new AuditQuery(
                                null, null, "production-profile", null, null, null, null, null, null, null, null, 100)))
                .extracting(r -> r.event().action())
                .as("the registry recorded each suspension by the production profile")
                .contains("security.demo_account_disabled")
                .anyMatch(action -> action.startsWith("agent."));
    }

    /** Threat: password guessing against one account, from one address or many. */
    @Test
    void afterRepeatedWrongPasswordsTheRightOneIsRefusedDuringTheBackoffAndItIsAudited() throws Exception {
        person("tess.throttle", "ADMIN");
        for (int i = 0; i < 3; i++) {
            assertThat(attempt("tess.throttle", "guess-" + i, "203.0.113." + (10 + i)))
                    .contains("refused");
        }
        String refused = attempt("tess.throttle", PASSWORD, "203.0.113.99");
        assertThat(refused)
                .as("the right password during the wait, from yet another address")
                .contains("Too many failed sign-ins")
                .contains("Try again in");
        assertThat(attempt("Tess.Throttle", PASSWORD, "203.0.113.98"))
                .as("case makes no new account to guess at")
                .contains("Too many failed sign-ins");
        assertThat(audit("signin.failed"))
                .filteredOn(r -> r.event().target().id().equals("tess.throttle"))
                .hasSize(3);
        assertThat(audit("signin.locked"))
                .filteredOn(r -> r.event().target().id().equals("tess.throttle"))
                .singleElement()
                .satisfies(r -> assertThat(r.event().details())
                        .containsEntry("failures", "3")
                        .containsEntry("waitSeconds", "30"));
        assertThat(prod.getBean(JdbcClient.class)
                        .sql(
                                "select count(*) from sign_in_throttle where key = 'account:tess.throttle' and blocked_until > now()")
                        .query(Long.class)
                        .single())
                .as("the wait is in PostgreSQL, so every replica refuses")
                .isEqualTo(1);
    }

    /** Threat: one address guessing one password against many accounts (password spraying). */
    @Test
    void oneAddressGuessingManyAccountsWaitsWhileOtherAddressesSignInFine() throws Exception {
        person("tim.throttle", "OWNER");
        String sprayer = "198.51.100.7";
        for (int i = 0; i < 6; i++) {
            assertThat(attempt("nobody-" + i, "Winter2025!", sprayer)).contains("refused");
        }
        assertThat(attempt("tim.throttle", PASSWORD, sprayer))
                .as("the address waits, whatever account it names")
                .contains("Too many failed sign-ins");
        assertThat(attempt("tim.throttle", PASSWORD, "198.51.100.8"))
                .as("another address is not held up")
                .isEqualTo("signed in");
        assertThat(audit("signin.locked"))
                .anySatisfy(r -> assertThat(r.event().target().id()).isEqualTo(sprayer));
    }

    /** Threat: a person whose role was removed (or who left) keeps using it in a portal session opened before. */
    @Test
    void aRoleRemovedInTheDirectoryStopsWorkingInTheOpenSessionAndADisabledPersonIsSignedOut() throws Exception {
        String id = person("rita.roles", "ADMIN", "OWNER");
        HttpClient browser = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        HttpResponse<String> dashboard = portalSignIn(browser, "rita.roles");
        assertThat(dashboard.uri().getPath()).as(dashboard.body()).isEqualTo("/portal");
        assertThat(page(browser, "/portal/data-sources").statusCode())
                .as("an admin's page")
                .isEqualTo(200);

        JdbcClient jdbc = prod.getBean(JdbcClient.class);
        jdbc.sql("update local_account set roles = '{OWNER}' where username = 'rita.roles'")
                .update();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> page(browser, "/portal/data-sources").statusCode() == 403);
        assertThat(page(browser, "/portal").statusCode())
                .as("the role still held keeps working")
                .isEqualTo(200);
        assertThat(audit("portal.session_roles_changed"))
                .anySatisfy(r -> assertThat(r.event().details())
                        .containsEntry("before", "ADMIN,OWNER")
                        .containsEntry("after", "OWNER"));

        jdbc.sql("update directory_user set account_enabled = false where id = :id")
                .param("id", id)
                .update();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> page(browser, "/portal").uri().getPath().equals("/login"));
        assertThat(audit("portal.session_ended"))
                .anySatisfy(r -> assertThat(r.event().target().id()).isEqualTo(id));
    }

    /** Threat: strangers read metrics (agents, tools, traffic) and the whole API's map from a production Warden. */
    @Test
    void metricsAndApiDocumentationNeedATokenUnderProdWhileHealthStaysOpenAndTerse() {
        person("oscar.ops", "SECOPS");
        assertThat(client.get("/actuator/prometheus", null).status()).isEqualTo(401);
        assertThat(client.get("/v3/api-docs", null).status()).isEqualTo(401);
        assertThat(client.get("/swagger-ui.html", null).status()).isEqualTo(401);
        assertThat(client.get("/actuator/prometheus", "not-the-token").status()).isEqualTo(401);
        var scraped =
                client.send(client.request("/actuator/prometheus").header("Authorization", "Bearer " + SCRAPE_TOKEN));
        assertThat(scraped.status()).isEqualTo(200);
        assertThat(scraped.body()).contains("jvm_");
        assertThat(client.get("/v3/api-docs", SCRAPE_TOKEN).status())
                .as("the scrape token opens metrics only")
                .isEqualTo(403);
        String ops = client.signIn("oscar.ops", PASSWORD);
        assertThat(client.send(client.request("/actuator/prometheus").header("Authorization", "Bearer " + ops))
                        .status())
                .isEqualTo(200);
        assertThat(client.get("/v3/api-docs", ops).status()).isEqualTo(200);
        var health = client.get("/actuator/health", null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        assertThat(health.json().has("components"))
                .as("no components to strangers")
                .isFalse();
        assertThat(client.get("/actuator/health/liveness", null).status()).isEqualTo(200);
        assertThat(client.get("/actuator/health/readiness", null).status()).isEqualTo(200);
    }

    /** A person of the local directory with an account and these roles; returns their directory id. */
    private String person(String username, String... roles) {
        String id = UUID.randomUUID().toString();
        JdbcClient jdbc = prod.getBean(JdbcClient.class);
        jdbc.sql(
                        "insert into directory_user (id, user_principal_name, display_name, updated_at) values (:id, :upn, :name, :now)")
                .param("id", id)
                .param("upn", username + "@test.warden.local")
                .param("name", username)
                .param("now", Timestamp.from(Instant.now()))
                .update();
        jdbc.sql(
                        "insert into local_account (username, password_hash, directory_user_id, roles) values (:u, :h, :id, :roles)")
                .param("u", username)
                .param("h", prod.getBean(PasswordEncoder.class).encode(PASSWORD))
                .param("id", id)
                .param("roles", roles)
                .update();
        return id;
    }

    /** One sign-in on the provider's form from {@code address} (as a trusted proxy names it): "signed in" or the error shown. */
    private String attempt(String username, String password, String address) throws Exception {
        HttpClient browser = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpResponse<String> form = browser.send(
                request("/login").header("X-Forwarded-For", address).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> posted = browser.send(
                request("/login")
                        .header("X-Forwarded-For", address)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(username, password, csrf(form.body()))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (posted.statusCode() == 429) {
            assertThat(posted.headers().firstValue("Retry-After")).isPresent();
            Matcher shown = Pattern.compile("<p id=\"throttled\">([^<]*)</p>").matcher(posted.body());
            return shown.find() ? shown.group(1) : posted.body();
        }
        assertThat(posted.statusCode()).isEqualTo(302);
        return posted.headers().firstValue("Location").orElseThrow().contains("error") ? "refused" : "signed in";
    }

    private HttpResponse<String> portalSignIn(HttpClient browser, String username) throws Exception {
        HttpResponse<String> login = page(browser, "/portal");
        assertThat(login.uri().getPath()).isEqualTo("/login");
        return browser.send(
                request("/login")
                        .header("Accept", "text/html")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(username, PASSWORD, csrf(login.body()))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> page(HttpClient browser, String path) throws Exception {
        return browser.send(
                request(path).header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(30));
    }

    private List<AuditRecord> audit(String action) {
        return prod.getBean(AuditTrail.class)
                .search(AuditQueries.anyRecord().action(action).build());
    }

    private static String csrf(String page) {
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(page);
        assertThat(csrf.find()).as("a CSRF token on the sign-in page").isTrue();
        return csrf.group(1);
    }

    private static String form(String username, String password, String csrf) {
        return "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf="
                + URLEncoder.encode(csrf, StandardCharsets.UTF_8);
    }
}
