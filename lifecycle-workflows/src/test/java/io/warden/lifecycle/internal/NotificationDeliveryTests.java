package io.warden.lifecycle.internal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import io.warden.audit.AuditEvent;
import io.warden.lifecycle.RoleMembers;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryGroup;
import io.warden.registry.DirectoryUser;
import io.warden.registry.adapters.GraphClients;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.net.ServerSocket;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.SimpleIdGenerator;

/**
 * The delivery of notifications on a real PostgreSQL, to a real SMTP server (GreenMail) and a local fake of
 * Microsoft Graph: who receives what, that a failing server is retried with backoff and given up in the end, and that
 * two dispatchers on one database never send the same notice twice.
 */
class NotificationDeliveryTests {

    static final String OWNER = "owner-1";
    static final String OFFICER = "officer-1";
    static final String OTHER_OFFICER = "officer-2";
    static final String DISABLED_OFFICER = "officer-3";
    static final String SECRET_BODY = "justified as: patient Jane Roe, bed 4";

    @RegisterExtension
    static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP);

    static EmbeddedPostgres postgres;
    static DataSource dataSource;
    static JdbcClient jdbc;
    static WireMockServer graph;

    final RecordingAuditLog audit = new RecordingAuditLog();
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-03-02T09:00:00Z"));
    final Clock clock = new Clock() {
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        public Clock withZone(ZoneId zone) {
            return this;
        }

        public Instant instant() {
            return now.get();
        }
    };

    static final Directory directory = new Directory() {
        final Map<String, DirectoryUser> people = Map.of(
                OWNER,
                person(OWNER, "owner@example.org"),
                OFFICER,
                person(OFFICER, "officer@example.org"),
                OTHER_OFFICER,
                person(OTHER_OFFICER, "officer2@example.org"),
                DISABLED_OFFICER,
                new DirectoryUser(
                        DISABLED_OFFICER,
                        "officer3@example.org",
                        "Disabled",
                        "officer3@example.org",
                        false,
                        false,
                        null));

        public Optional<DirectoryUser> findUser(String id) {
            return Optional.ofNullable(people.get(id));
        }

        public Map<String, DirectoryUser> findUsers(Collection<String> ids) {
            Map<String, DirectoryUser> found = new HashMap<>();
            ids.stream().filter(people::containsKey).forEach(id -> found.put(id, people.get(id)));
            return found;
        }

        public Optional<DirectoryGroup> findGroup(String id) {
            return Optional.empty();
        }

        public List<DirectoryGroup> groupsOf(String userId) {
            return List.of();
        }

        public List<DirectoryUser> searchUsers(String text, int limit) {
            throw new UnsupportedOperationException("not used");
        }
    };

    @BeforeAll
    static void database() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        dataSource = postgres.getPostgresDatabase();
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration/lifecycle")
                .load()
                .migrate();
        jdbc = JdbcClient.create(dataSource);
        graph = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        graph.start();
    }

    @AfterAll
    static void stop() throws Exception {
        graph.stop();
        postgres.close();
    }

    @BeforeEach
    void empty() {
        jdbc.sql("delete from notification").update();
        graph.resetAll();
    }

    @Test
    void mailReachesThePersonAndEachMemberOfTheRoleOnceWithoutTheBody() throws Exception {
        NotificationDispatcher dispatcher =
                dispatcher(properties(Map.of()), mail(smtp.getSmtp().getPort()));
        Notifications notifications = notifications(dispatcher);

        notifications.send(
                OWNER,
                "agent-1",
                "recertification",
                "Recertify Chest finder",
                "Attest within 14 days",
                now.get().plus(Duration.ofDays(14)));
        notifications.send(
                "role:COMPLIANCE", "agent-1", "break-glass-review", "Break-the-glass access to review", SECRET_BODY);

        assertThat(dispatcher.deliverDue()).isEqualTo(2);
        MimeMessage[] received = smtp.getReceivedMessages();
        assertThat(received).hasSize(3);
        assertThat(recipients(received))
                .containsExactlyInAnyOrder("owner@example.org", "officer@example.org", "officer2@example.org");
        MimeMessage toOwner = received(received, "owner@example.org");
        assertThat(toOwner.getSubject()).isEqualTo("[Warden] Recertify Chest finder");
        assertThat(GreenMailUtil.getBody(toOwner))
                .contains("Act by 2026-03-16T09:00:00Z")
                .contains("https://warden.example.org/portal/inbox");
        for (MimeMessage message : received) {
            assertThat(GreenMailUtil.getBody(message))
                    .doesNotContain("Jane Roe")
                    .doesNotContain("Attest within");
        }

        assertThat(dispatcher.deliverDue()).as("nothing is due twice").isZero();
        assertThat(smtp.getReceivedMessages()).hasSize(3);
        assertThat(jdbc.sql("select count(*) from notification_delivery where state = 'DELIVERED' and attempts = 1")
                        .query(Integer.class)
                        .single())
                .isEqualTo(2);
        List<AuditEvent> delivered = audited("notification.delivered");
        assertThat(delivered).hasSize(2);
        assertThat(delivered)
                .extracting(e -> e.details().get("recipient"))
                .containsExactlyInAnyOrder(OWNER, "role:COMPLIANCE");
        assertThat(delivered.toString()).doesNotContain("Jane Roe").doesNotContain("@example.org");
    }

    @Test
    void aRoleWithASharedMailboxGetsOneMessageThere() throws Exception {
        NotificationDispatcher dispatcher = dispatcher(
                properties(Map.of("warden.notifications.mail.role-addresses.ADMIN", "admins@example.org")),
                mail(smtp.getSmtp().getPort()));
        notifications(dispatcher).send("role:ADMIN", "agent-2", "onboarding", "Approve Lung triage", "body");

        dispatcher.deliverDue();

        assertThat(recipients(smtp.getReceivedMessages())).containsExactly("admins@example.org");
    }

    @Test
    void aRoleNoticeReachesTheActiveHoldersTheIdentityProviderNamesUnlessTheRoleIsConfigured() throws Exception {
        RoleMembers provider = role -> switch (role) {
            case SECOPS -> List.of(OFFICER, DISABLED_OFFICER, OFFICER, "nobody-known");
            default -> List.of(OWNER);
        };
        NotificationProperties properties = properties(Map.of());
        NotificationDispatcher dispatcher = new NotificationDispatcher(
                jdbc,
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                List.of(new MailChannel(
                        mail(smtp.getSmtp().getPort()),
                        new RoleRecipients(directory, properties, provider),
                        properties)),
                audit,
                clock,
                properties);
        Notifications notifications = notifications(dispatcher);
        notifications.send("role:SECOPS", "agent-6", "break-glass-review", "Escalated review", SECRET_BODY);
        notifications.send("role:COMPLIANCE", "agent-6", "break-glass-review", "Review", SECRET_BODY);

        assertThat(dispatcher.deliverDue()).isEqualTo(2);

        assertThat(recipients(smtp.getReceivedMessages()))
                .as("the provider's active holders once each; a configured role replaces the provider's answer")
                .containsExactlyInAnyOrder("officer@example.org", "officer@example.org", "officer2@example.org");
        assertThat(recipients(smtp.getReceivedMessages())).doesNotContain("officer3@example.org", "owner@example.org");
    }

    @Test
    void aRetryAfterAPartialFailureReachesOnlyThoseWhoGotNothing() throws Exception {
        AtomicInteger refusals = new AtomicInteger(1);
        JavaMailSenderImpl sender = new JavaMailSenderImpl() {
            @Override
            public void send(MimeMessage... messages) {
                for (MimeMessage message : messages) {
                    try {
                        if (message.getAllRecipients()[0].toString().equals("officer2@example.org")
                                && refusals.getAndDecrement() > 0) {
                            throw new MailSendException("mailbox busy");
                        }
                    } catch (MessagingException e) {
                        throw new IllegalStateException(e);
                    }
                }
                super.send(messages);
            }
        };
        sender.setHost("127.0.0.1");
        sender.setPort(smtp.getSmtp().getPort());
        NotificationProperties properties = properties(Map.of());
        NotificationDispatcher dispatcher = new NotificationDispatcher(
                jdbc,
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                List.of(new MailChannel(
                        sender,
                        new RoleRecipients(directory, properties, role -> List.of(OFFICER, OTHER_OFFICER)),
                        properties)),
                audit,
                clock,
                properties);
        notifications(dispatcher).send("role:SECOPS", "agent-7", "break-glass-review", "Escalated", SECRET_BODY);

        dispatcher.deliverDue();
        assertThat(recipients(smtp.getReceivedMessages())).containsExactly("officer@example.org");
        assertThat(delivery("state", String.class)).isEqualTo("PENDING");

        now.set(now.get().plus(Duration.ofMinutes(1)));
        dispatcher.deliverDue();

        assertThat(recipients(smtp.getReceivedMessages()))
                .as("the retry sends only to the member who got nothing")
                .containsExactlyInAnyOrder("officer@example.org", "officer2@example.org");
        assertThat(delivery("state", String.class)).isEqualTo("DELIVERED");
    }

    @Test
    void aFailingSmtpServerIsRetriedWithBackoffAndTheNoticeArrivesOnce() throws Exception {
        JavaMailSenderImpl sender = mail(closedPort());
        NotificationDispatcher dispatcher = dispatcher(properties(Map.of()), sender);
        notifications(dispatcher).send(OWNER, "agent-3", "retirement", "Chest finder is dormant", "Keep it");

        assertThat(dispatcher.deliverDue()).isEqualTo(1);
        assertThat(delivery("attempts", Integer.class)).isEqualTo(1);
        assertThat(delivery("state", String.class)).isEqualTo("PENDING");
        assertThat(delivery("last_error", String.class)).contains("Mail");
        assertThat(delivery("next_attempt_at", Timestamp.class).toInstant())
                .isEqualTo(now.get().plus(Duration.ofSeconds(30)));

        now.set(now.get().plusSeconds(29));
        assertThat(dispatcher.deliverDue()).as("not before the backoff").isZero();

        now.set(now.get().plusSeconds(1));
        assertThat(dispatcher.deliverDue()).isEqualTo(1);
        assertThat(delivery("next_attempt_at", Timestamp.class).toInstant())
                .as("the wait doubles")
                .isEqualTo(now.get().plus(Duration.ofSeconds(60)));

        sender.setPort(smtp.getSmtp().getPort()); // the server is back
        now.set(now.get().plusSeconds(60));
        assertThat(dispatcher.deliverDue()).isEqualTo(1);
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(delivery("state", String.class)).isEqualTo("DELIVERED");
        assertThat(delivery("attempts", Integer.class)).isEqualTo(3);
        now.set(now.get().plus(Duration.ofDays(1)));
        assertThat(dispatcher.deliverDue()).isZero();
        assertThat(smtp.getReceivedMessages()).hasSize(1);
    }

    @Test
    void aDeliveryThatKeepsFailingIsGivenUpAndAudited() throws Exception {
        NotificationDispatcher dispatcher =
                dispatcher(properties(Map.of("warden.notifications.max-attempts", "2")), mail(closedPort()));
        notifications(dispatcher).send(OWNER, "agent-4", "orphaned", "Lung triage needs a new owner", SECRET_BODY);

        dispatcher.deliverDue();
        now.set(now.get().plus(Duration.ofHours(1)));
        dispatcher.deliverDue();

        assertThat(delivery("state", String.class)).isEqualTo("FAILED");
        List<AuditEvent> failed = audited("notification.failed");
        assertThat(failed).hasSize(1);
        assertThat(failed.getFirst().details()).containsEntry("channel", "mail").containsEntry("recipient", OWNER);
        assertThat(failed.toString()).doesNotContain("Jane Roe");
        now.set(now.get().plus(Duration.ofDays(1)));
        assertThat(dispatcher.deliverDue()).as("given up").isZero();
    }

    @Test
    void twoInstancesOnOneDatabaseNeverSendTheSameNoticeTwice() throws Exception {
        NotificationDispatcher first = dispatcher(
                properties(Map.of("warden.notifications.batch-size", "1000")),
                mail(smtp.getSmtp().getPort()));
        NotificationDispatcher second = dispatcher(
                properties(Map.of("warden.notifications.batch-size", "1000")),
                mail(smtp.getSmtp().getPort()));
        Notifications notifications = notifications(first);
        for (int i = 0; i < 40; i++) {
            notifications.send(OWNER, "agent-" + i, "recertification", "Recertify agent " + i, "body");
        }

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> runs =
                    pool.invokeAll(List.<Callable<Integer>>of(first::deliverDue, second::deliverDue));
            int taken = 0;
            for (Future<Integer> run : runs) {
                taken += run.get();
            }
            assertThat(taken).isEqualTo(40);
        } finally {
            pool.shutdownNow();
        }

        MimeMessage[] received = smtp.getReceivedMessages();
        Set<String> notices = new HashSet<>();
        for (MimeMessage message : received) {
            notices.add(message.getHeader("X-Warden-Notification")[0]);
        }
        assertThat(received).hasSize(40);
        assertThat(notices).hasSize(40);
        assertThat(audited("notification.delivered")).hasSize(40);
    }

    @Test
    void teamsGetsAnActivityNotificationThroughGraph() {
        graph.stubFor(post(urlEqualTo("/v1.0/users/" + OFFICER + "/teamwork/sendActivityNotification"))
                .willReturn(aResponse().withStatus(204)));
        NotificationProperties properties = properties(Map.of(
                "warden.notifications.teams.enabled", "true",
                "warden.notifications.teams.teams-app-id", "teams-app-1",
                "warden.notifications.role-members.COMPLIANCE", OFFICER));
        NotificationDispatcher dispatcher = new NotificationDispatcher(
                jdbc,
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                List.of(new TeamsChannel(graphClient(), new RoleRecipients(directory, properties, null), properties)),
                audit,
                clock,
                properties);
        notifications(dispatcher)
                .send(
                        "role:COMPLIANCE",
                        "agent-5",
                        "break-glass-review",
                        "Break-the-glass access by Chest finder to review",
                        SECRET_BODY,
                        now.get().plus(Duration.ofDays(1)));

        assertThat(dispatcher.deliverDue()).isEqualTo(1);

        graph.verify(
                1,
                postRequestedFor(urlEqualTo("/v1.0/users/" + OFFICER + "/teamwork/sendActivityNotification"))
                        .withHeader("Authorization", equalTo("Bearer graph-token"))
                        .withRequestBody(matchingJsonPath("$.topic.source", equalTo("text")))
                        .withRequestBody(matchingJsonPath(
                                "$.topic.value", equalTo("Break-the-glass access by Chest finder to review")))
                        .withRequestBody(
                                matchingJsonPath("$.topic.webUrl", equalTo("https://warden.example.org/portal/inbox")))
                        .withRequestBody(matchingJsonPath("$.activityType", equalTo("wardenNotice")))
                        .withRequestBody(matchingJsonPath("$.teamsAppId", equalTo("teams-app-1")))
                        .withRequestBody(
                                matchingJsonPath("$.previewText.content", equalTo("Act by 2026-03-03T09:00:00Z."))));
        assertThat(graph.getAllServeEvents().getFirst().getRequest().getBodyAsString())
                .doesNotContain("Jane Roe");
        assertThat(delivery("state", String.class)).isEqualTo("DELIVERED");
        assertThat(audited("notification.delivered").getFirst().details()).containsEntry("channel", "teams");
    }

    // ---- fixtures ----

    NotificationDispatcher dispatcher(NotificationProperties properties, JavaMailSenderImpl sender) {
        return new NotificationDispatcher(
                jdbc,
                new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                List.of(new MailChannel(sender, new RoleRecipients(directory, properties, null), properties)),
                audit,
                clock,
                properties);
    }

    Notifications notifications(NotificationDispatcher dispatcher) {
        return new Notifications(jdbc, audit, clock, new SimpleIdGenerator(), dispatcher.channelNames());
    }

    static NotificationProperties properties(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("warden.notifications.portal-url", "https://warden.example.org/");
        all.putIfAbsent("warden.notifications.role-members.COMPLIANCE", OFFICER + "," + OTHER_OFFICER);
        return new Binder(new MapConfigurationPropertySource(all))
                .bindOrCreate("warden.notifications", NotificationProperties.class);
    }

    static JavaMailSenderImpl mail(int port) {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("127.0.0.1");
        sender.setPort(port);
        sender.getJavaMailProperties().put("mail.smtp.connectiontimeout", "2000");
        sender.getJavaMailProperties().put("mail.smtp.timeout", "2000");
        return sender;
    }

    static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static GraphServiceClient graphClient() {
        return GraphClients.create(URI.create("http://127.0.0.1:" + graph.port() + "/v1.0"), new AccessTokenProvider() {
            public String getAuthorizationToken(URI uri, @Nullable Map<String, Object> context) {
                return "graph-token";
            }

            public AllowedHostsValidator getAllowedHostsValidator() {
                return new AllowedHostsValidator("127.0.0.1");
            }
        });
    }

    static DirectoryUser person(String id, String mail) {
        return new DirectoryUser(id, id + "@example.org", "Person " + id, mail, true, false, null);
    }

    <T> T delivery(String column, Class<T> type) {
        return jdbc.sql("select " + column + " from notification_delivery")
                .query(type)
                .single();
    }

    List<AuditEvent> audited(String action) {
        return audit.events.stream().filter(e -> e.action().equals(action)).toList();
    }

    static List<String> recipients(MimeMessage[] messages) throws Exception {
        List<String> to = new ArrayList<>();
        for (MimeMessage message : messages) {
            to.add(message.getAllRecipients()[0].toString());
        }
        return to;
    }

    static MimeMessage received(MimeMessage[] messages, String to) throws Exception {
        for (MimeMessage message : messages) {
            if (message.getAllRecipients()[0].toString().equals(to)) {
                return message;
            }
        }
        throw new AssertionError("no message to " + to);
    }
}
