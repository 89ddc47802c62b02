package io.warden.app;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import io.warden.WardenApplication;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.operaton.bpm.engine.impl.util.ClockUtil;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A notice addressed to a role reaches the people who hold it in the embedded identity provider, with nobody listed
 * in {@code warden.notifications.role-members}: a registration that touches PHI, submitted through the API, waits
 * three days for a compliance officer, and the reminder is e-mailed (GreenMail) and sent to Teams (a local fake of
 * Microsoft Graph) to each active compliance officer once, not to anyone else and not to an officer whose account is
 * disabled in the directory or whose sign-in is switched off. Teams is switched on by its own setting alone (no Entra
 * directory or provisioner), which must be enough to create the Graph client. Its own app, not the shared one.
 */
@SpringBootTest(classes = WardenApplication.class, webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@Import(RoleNotificationTests.FixedGraphToken.class)
class RoleNotificationTests {

    static final int PORT = IntegrationTest.freePort();
    static final int SMTP_PORT = IntegrationTest.freePort();
    static final Path DATA = IntegrationTest.tempDir();
    static final WardenClient client = new WardenClient("http://localhost:" + PORT);
    static final WireMockServer GRAPH = graph();

    static final String ADA = "3f1c2a9e-7b1d-4e0a-9c11-000000000a01";
    static final String OTTO = "3f1c2a9e-7b1d-4e0a-9c11-000000000a02";
    static final String CARLA = "3f1c2a9e-7b1d-4e0a-9c11-000000000a04";
    static final String SAM = "3f1c2a9e-7b1d-4e0a-9c11-000000000a05";
    static final String CLEO = "role-test-cleo";
    static final String DORA = "role-test-dora";
    static final String EVE = "role-test-eve";

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(new ServerSetup(SMTP_PORT, "127.0.0.1", "smtp"));

    @Autowired
    JdbcClient jdbc;

    @TestConfiguration
    static class FixedGraphToken {
        @Bean
        AccessTokenProvider graphToken() {
            return new AccessTokenProvider() {
                public String getAuthorizationToken(URI uri, @Nullable Map<String, Object> context) {
                    return "graph-token";
                }

                public AllowedHostsValidator getAllowedHostsValidator() {
                    return new AllowedHostsValidator("127.0.0.1");
                }
            };
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("server.port", () -> PORT);
        registry.add("warden.identity.issuer", () -> "http://localhost:" + PORT);
        registry.add("warden.data-dir", DATA::toString);
        registry.add("warden.demo.enabled", () -> "true");
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", () -> SMTP_PORT);
        registry.add("warden.notifications.poll-interval", () -> "PT0.5S");
        registry.add("warden.notifications.teams.enabled", () -> "true");
        registry.add("warden.graph.base-url", () -> "http://127.0.0.1:" + GRAPH.port() + "/v1.0");
    }

    static WireMockServer graph() {
        WireMockServer server =
                new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        server.stubFor(post(urlPathMatching("/v1.0/users/[^/]+/teamwork/sendActivityNotification"))
                .willReturn(aResponse().withStatus(204)));
        return server;
    }

    @AfterAll
    static void stopGraph() {
        GRAPH.stop();
    }

    @Test
    void aRegistrationWaitingForComplianceRemindsEachActiveComplianceOfficerOnceAndNobodyElse() throws Exception {
        person(CLEO, "cleo.compliance", "cleo@role-test.warden.local", true, true);
        person(DORA, "dora.compliance", "dora@role-test.warden.local", false, true); // disabled in the directory
        person(EVE, "eve.compliance", "eve@role-test.warden.local", true, false); // sign-in switched off

        String name = "Waiting for compliance " + UUID.randomUUID();
        var registered = client.call("POST", "/api/v1/agents", client.personToken("otto.owner"), """
                {"name":"%s","kind":"RETRIEVAL","purpose":"Similar lesion search","submit":true,
                 "dataScopes":["dermatology-phi"],"tools":["image-search"]}""".formatted(name));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String agent = registered.json().get("id").asString();
        assertThat(client.get("/api/v1/approvals?status=PENDING&agentId=" + agent, client.personToken("ada.admin"))
                        .json()
                        .get("items")
                        .get(0)
                        .get("requiresCompliance")
                        .asBoolean())
                .isTrue();

        String notice = awaitReminder(agent);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> jdbc.sql("select count(*) from notification_delivery where notification_id = cast(:id as"
                                        + " uuid) and state = 'DELIVERED'")
                                .param("id", notice)
                                .query(Integer.class)
                                .single()
                        == 2);

        assertThat(mailedFor(notice))
                .as("each active compliance officer of the embedded provider, once")
                .containsExactlyInAnyOrder("carla.compliance@demo.warden.local", "cleo@role-test.warden.local");
        for (String person : List.of(CARLA, CLEO)) {
            GRAPH.verify(
                    1, postRequestedFor(urlEqualTo("/v1.0/users/" + person + "/teamwork/sendActivityNotification")));
        }
        for (String person : List.of(DORA, EVE, OTTO, SAM)) {
            GRAPH.verify(
                    0, postRequestedFor(urlEqualTo("/v1.0/users/" + person + "/teamwork/sendActivityNotification")));
        }
        String adminNotice =
                jdbc.sql("""
                select id::text from notification where agent_id = :agent and recipient = 'role:ADMIN'""").param("agent", agent).query(String.class).single();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !mailedFor(adminNotice).isEmpty());
        assertThat(mailedFor(adminNotice)).containsExactly("ada.admin@demo.warden.local");
        assertThat(jdbc.sql("""
                        select count(*) from audit_event where action = 'notification.delivered'
                           and target_id = :notice and 'role:COMPLIANCE' = any(detail_values)""").param("notice", notice).query(Integer.class).single())
                .isEqualTo(2);
    }

    /** Moves the engine's clock past the three days the registration waits, until the reminder is written. */
    private String awaitReminder(String agent) {
        AtomicInteger hours = new AtomicInteger(72);
        try {
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        ClockUtil.setCurrentTime(
                                Date.from(Instant.now().plus(Duration.ofHours(hours.incrementAndGet()))));
                        return jdbc.sql("""
                                        select count(*) from notification
                                         where agent_id = :agent and recipient = 'role:COMPLIANCE'""")
                                        .param("agent", agent)
                                        .query(Integer.class)
                                        .single()
                                > 0;
                    });
        } finally {
            ClockUtil.reset();
        }
        return jdbc.sql("select id::text from notification where agent_id = :agent and recipient = 'role:COMPLIANCE'")
                .param("agent", agent)
                .query(String.class)
                .single();
    }

    private void person(String id, String username, String mail, boolean enabledInDirectory, boolean canSignIn) {
        jdbc.sql("""
                insert into directory_user (id, user_principal_name, display_name, mail, account_enabled, updated_at)
                values (:id, :upn, :name, :mail, :enabled, :now) on conflict (id) do nothing""")
                .param("id", id)
                .param("upn", username + "@role-test.warden.local")
                .param("name", username)
                .param("mail", mail)
                .param("enabled", enabledInDirectory)
                .param("now", Timestamp.from(Instant.now()))
                .update();
        jdbc.sql("""
                insert into local_account (username, password_hash, directory_user_id, roles, enabled)
                values (:username, '{noop}unused', :id, array['COMPLIANCE'], :enabled)
                on conflict (username) do nothing""")
                .param("username", username)
                .param("id", id)
                .param("enabled", canSignIn)
                .update();
    }

    private List<String> mailedFor(String notice) throws MessagingException {
        List<String> to = new ArrayList<>();
        for (MimeMessage message : smtp.getReceivedMessages()) {
            String[] header = message.getHeader("X-Warden-Notification");
            if (header != null && Arrays.asList(header).contains(notice)) {
                to.add(message.getAllRecipients()[0].toString());
            }
        }
        return to;
    }
}
