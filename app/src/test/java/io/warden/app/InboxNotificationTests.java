package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.warden.WardenApplication;
import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.WorkflowEngine;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A lifecycle notice from a real process, through the real app: it reaches its recipient by e-mail (a real SMTP
 * server, GreenMail, with {@code spring.mail.host} set), is audited as delivered, and shows in the recipient's inbox
 * with its deadline and an unread count that marking read lowers; nobody marks or sees another's notices. Its own app
 * (mail switched on), not the shared one.
 */
@SpringBootTest(classes = WardenApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
class InboxNotificationTests {

    static final int PORT = IntegrationTest.freePort();
    static final int SMTP_PORT = IntegrationTest.freePort();
    static final Path DATA = IntegrationTest.tempDir();
    static final WardenClient client = new WardenClient("http://localhost:" + PORT);
    static final String OTTO = "3f1c2a9e-7b1d-4e0a-9c11-000000000a02";

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(SMTP_PORT, "127.0.0.1", "smtp"));

    @Autowired
    WorkflowEngine engine;

    @Autowired
    JdbcClient jdbc;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("warden.identity.issuer", () -> "http://localhost:" + PORT);
        registry.add("warden.data-dir", DATA::toString);
        registry.add("warden.demo.enabled", () -> "true");
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP_PORT);
        registry.add("warden.notifications.poll-interval", () -> "PT0.5S");
        registry.add("warden.notifications.portal-url", () -> "http://localhost:" + PORT);
    }

    @Test
    void aDormancyNoticeIsMailedToTheOwnerAndWaitsInTheirInboxUntilRead() throws Exception {
        String name = "Dormant mailed " + UUID.randomUUID();
        String id = activeAgent(name);
        engine.start(BpmnProcesses.RETIREMENT, id, Map.of());

        await().atMost(Duration.ofSeconds(30))
                .until(() -> Arrays.stream(smtp.getReceivedMessages())
                        .anyMatch(m -> subject(m).contains(name)));
        MimeMessage mail = Arrays.stream(smtp.getReceivedMessages())
                .filter(m -> subject(m).contains(name))
                .findFirst()
                .orElseThrow();
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("otto.owner@demo.warden.local");
        assertThat(subject(mail)).isEqualTo("[Warden] " + name + " is dormant");
        assertThat(GreenMailUtil.getBody(mail))
                .contains("Act by ")
                .contains("http://localhost:" + PORT + "/portal/inbox")
                .doesNotContain("has not been used since");
        String notice = jdbc.sql("select id::text from notification where agent_id = :id and recipient = :otto")
                .param("id", id)
                .param("otto", OTTO)
                .query(String.class)
                .single();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> jdbc.sql("select count(*) from audit_event where action = 'notification.delivered'"
                                        + " and target_id = :notice")
                                .param("notice", notice)
                                .query(Integer.class)
                                .single()
                        == 1);

        HttpClient otto = browser();
        signIn(otto, "otto.owner");
        HttpResponse<String> inbox = get(otto, "/portal/inbox");
        assertThat(inbox.statusCode()).isEqualTo(200);
        assertThat(inbox.body())
                .contains("id=\"grace\"", "Keep " + name + " or it is retired")
                .contains("data-notice=\"" + notice + "\"")
                .contains(name + " is dormant")
                .containsPattern("Inbox<span> \\(\\d+ unread\\)</span>");
        int unread = unread(inbox.body());
        assertThat(unread).isPositive();

        HttpResponse<String> marked = post(otto, "/portal/inbox/read", inbox.body(), "id=" + notice);
        assertThat(marked.statusCode()).isEqualTo(200);
        assertThat(marked.body()).contains("Marked 1 notification read.");
        assertThat(unread(marked.body())).isEqualTo(unread - 1);

        HttpResponse<String> bad = post(otto, "/portal/inbox/read", marked.body(), "id=not-an-id");
        assertThat(bad.statusCode()).as("bad input is shown, never a 500").isEqualTo(200);
        assertThat(bad.body()).contains("id: not a notification id.");
    }

    @Test
    void nobodyMarksOrSeesAnothersNoticesAndComplianceSeesWhatItMayDecide() throws Exception {
        String name = "Waiting for compliance " + UUID.randomUUID();
        var registered = client.call("POST", "/api/v1/agents", client.personToken("otto.owner"), """
                {"name":"%s","kind":"RETRIEVAL","purpose":"Inbox test","submit":true,
                 "dataScopes":["imaging-ct-deid"],"tools":["text-search"]}""".formatted(name));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String agent = registered.json().get("id").asString();
        String foreign = UUID.randomUUID().toString();
        jdbc.sql("""
                insert into notification (id, recipient, agent_id, process, subject, body, created_at)
                values (cast(:id as uuid), 'role:COMPLIANCE', :agent, 'break-glass-review', 'For compliance only',
                        'body', now())""").param("id", foreign).param("agent", agent).update();

        HttpClient otto = browser();
        signIn(otto, "otto.owner");
        HttpResponse<String> ottoInbox = get(otto, "/portal/inbox");
        assertThat(ottoInbox.body())
                .doesNotContain("For compliance only")
                .as("an owner never decides their own registration")
                .doesNotContain("id=\"to-decide\"");
        post(otto, "/portal/inbox/read", ottoInbox.body(), "id=" + foreign);
        assertThat(jdbc.sql("select count(*) from notification_read where notification_id = cast(:id as uuid)")
                        .param("id", foreign)
                        .query(Integer.class)
                        .single())
                .as("a notice to a role the person does not hold stays unread")
                .isZero();

        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        HttpResponse<String> carlaInbox = get(carla, "/portal/inbox");
        assertThat(carlaInbox.body())
                .contains("For compliance only")
                .contains("id=\"to-decide\"")
                .contains("data-agent=\"" + agent + "\"")
                .contains("Registration requested by Dr. Otto Owner (demo)");
    }

    // ---- helpers ----

    private String activeAgent(String name) {
        var registered = client.call("POST", "/api/v1/agents", client.personToken("otto.owner"), """
                {"name":"%s","kind":"RETRIEVAL","purpose":"Inbox test","submit":true,
                 "dataScopes":["imaging-ct-deid"],"tools":["text-search"]}""".formatted(name));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        String approval = client.get("/api/v1/approvals?status=PENDING&agentId=" + id, client.personToken("ada.admin"))
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();
        assertThat(client.call(
                                "POST",
                                "/api/v1/approvals/" + approval + "/approve",
                                client.personToken("ada.admin"),
                                "{\"reason\":\"fine\"}")
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "ACTIVE"
                        .equals(client.get("/api/v1/agents/" + id, client.personToken("ada.admin"))
                                .json()
                                .get("status")
                                .asString()));
        return id;
    }

    static int unread(String page) {
        Matcher count =
                Pattern.compile("Inbox<span> \\((\\d+) unread\\)</span>").matcher(page);
        return count.find() ? Integer.parseInt(count.group(1)) : 0;
    }

    static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

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

    static void signIn(HttpClient browser, String username) throws Exception {
        HttpResponse<String> login = get(browser, "/portal");
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(login.body());
        assertThat(csrf.find()).isTrue();
        String form = "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password=warden-demo&_csrf="
                + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
        browser.send(
                HttpRequest.newBuilder(URI.create(client.base() + "/login"))
                        .header("Accept", "text/html")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
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
}
