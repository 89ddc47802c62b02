package io.warden.app;

import static io.warden.app.PortalTests.browser;
import static io.warden.app.PortalTests.get;
import static io.warden.app.PortalTests.signIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The portal's audit pages tell a delegated call as people know it: the agent on behalf of the person, by their
 * names (the person from the directory), with how the call was delegated, and a break-the-glass call flagged with its
 * justification. Threat: a compliance officer who sees only directory ids cannot tell whose emergency access it was.
 */
class AuditPagesOnBehalfOfTests extends IntegrationTest {

    static final String AGENT = TokenExchangeTests.AGENT;
    static final String OLIVIA = TokenExchangeTests.OLIVIA;
    static final String OLIVIA_NAME = "Dr. Olivia Owner (demo)";
    static final String AGENT_NAME = "Demo CT retrieval agent";

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @Autowired
    AuditLog audit;

    @Test
    void aCallMadeThroughTokenExchangeReadsAsTheAgentOnBehalfOfThePersonByName() throws Exception {
        collections.replace(
                "obo-portal",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(
                        embedder,
                        List.of(new TextItem(
                                "p1", "CT chest axial lung window", Map.of("dataset", "imaging-ct-deid")))));
        governedCollection("obo-portal", "imaging-ct-deid");
        String olivia = client.signIn("olivia.owner", "warden-demo");
        String forOlivia = TokenExchangeTests.exchange(AGENT, TokenExchangeTests.SECRET, olivia)
                .json()
                .get("access_token")
                .asString();
        var permitted = client.call("POST", "/gateway/v1/text-search", forOlivia, """
                {"collection":"obo-portal","dataset":"imaging-ct-deid","purposeOfUse":"HRESCH","text":"CT chest","k":1}""");
        assertThat(permitted.status()).as(permitted.body()).isEqualTo(200);

        AtomicLong sequence = new AtomicLong();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode decisions = client.get(
                            "/api/v1/audit/events?agent=" + AGENT + "&action=gateway.decision&limit=50", compliance())
                    .json()
                    .get("items");
            JsonNode mine = null;
            for (JsonNode record : decisions) {
                if (OLIVIA.equals(record.path("details").path("onBehalfOf").asString(""))
                        && "obo-portal"
                                .equals(record.path("details")
                                        .path("collection")
                                        .asString(""))) {
                    mine = record;
                    break;
                }
            }
            assertThat(mine).as("the delegated call's decision record").isNotNull();
            sequence.set(mine.get("sequence").asLong());
        });

        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        HttpResponse<String> search = get(carla, "/portal/audit?action=gateway.decision");
        assertThat(search.statusCode()).isEqualTo(200);
        String row = row(search.body(), sequence.get());
        assertThat(row)
                .contains(AGENT_NAME + " on behalf of " + OLIVIA_NAME, "(token exchange)")
                .doesNotContain(OLIVIA)
                .doesNotContain("Break the glass");
        assertThat(search.body()).as("no person's raw id anywhere").doesNotContain(OLIVIA);

        HttpResponse<String> detail = get(carla, "/portal/audit/" + sequence.get());
        assertThat(detail.statusCode()).isEqualTo(200);
        assertThat(detail.body())
                .contains(
                        "<dd class=\"who-acted\">" + AGENT_NAME + " on behalf of " + OLIVIA_NAME + "</dd>",
                        "<dt>On behalf of</dt><dd>" + OLIVIA_NAME + "</dd>",
                        "<dd class=\"delegation\">token exchange</dd>",
                        "<dt>Agent</dt><dd>" + AGENT_NAME + "</dd>")
                .doesNotContain(OLIVIA)
                .doesNotContain("Break the glass");
    }

    /**
     * The gateway records a break-the-glass call with {@code breakGlass} and the justification the agent wrote; the
     * record is appended here as the gateway writes it (the person unknown to the directory), because this test is
     * about how the portal shows it, not about when the gateway allows one.
     */
    @Test
    void aBreakTheGlassRecordIsFlaggedWithItsJustificationAndAnUnknownPersonSaysSo() throws Exception {
        String stranger = UUID.randomUUID().toString();
        String justification = "<script>alert(1)</script> patient unconscious, no consent possible";
        AuditRecord record = audit.append(AuditEvent.builder(
                        "gateway.decision", AuditActor.agent(AGENT, null), new AuditTarget("tool", "text-search"))
                .agent(AGENT)
                .tool("text-search")
                .dataset("imaging-ct-deid")
                .decision("PERMIT")
                .purposeOfUse("ETREAT")
                .outcome(Outcome.SUCCESS)
                .detail("onBehalfOf", stranger)
                .detail("delegation", "entra-obo")
                .detail("breakGlass", true)
                .detail("justification", justification)
                .build());

        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        String row = row(get(carla, "/portal/audit?action=gateway.decision").body(), record.sequence());
        assertThat(row)
                .contains(
                        AGENT_NAME + " on behalf of unknown person (" + stranger + ")",
                        "(Entra on-behalf-of)",
                        "Break the glass",
                        "&lt;script&gt;alert(1)&lt;/script&gt; patient unconscious")
                .doesNotContain("<script>");

        String detail = get(carla, "/portal/audit/" + record.sequence()).body();
        assertThat(detail)
                .contains(
                        "Break the glass",
                        "<dd class=\"delegation\">Entra on-behalf-of</dd>",
                        "<dt>On behalf of</dt><dd>unknown person (" + stranger + ")</dd>",
                        "<dd class=\"justification\">&lt;script&gt;alert(1)&lt;/script&gt; patient unconscious")
                .doesNotContain("<script>alert");
    }

    @Test
    void aRecordPageIsForComplianceAndAdminsAndAnythingButASequenceIsNotFound() throws Exception {
        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        assertThat(get(carla, "/portal/audit/1").statusCode()).isEqualTo(200);
        assertThat(get(carla, "/portal/audit/999999999999").statusCode()).isEqualTo(404);
        assertThat(get(carla, "/portal/audit/-1").statusCode()).isEqualTo(404);
        assertThat(get(carla, "/portal/audit/1%20or%201=1").statusCode()).isEqualTo(404);
        assertThat(get(carla, "/portal/audit/99999999999999999999999").statusCode())
                .isEqualTo(404);

        HttpClient ada = browser();
        signIn(ada, "ada.admin");
        assertThat(get(ada, "/portal/audit/1").statusCode()).isEqualTo(200);
        for (String person : List.of("otto.owner", "sam.secops")) {
            HttpClient browser = browser();
            signIn(browser, person);
            assertThat(get(browser, "/portal/audit/1").statusCode()).as(person).isEqualTo(403);
        }
    }

    /** The search table's row for one record, from its link to the end of the row. */
    private static String row(String page, long sequence) {
        Matcher row = Pattern.compile(
                        "href=\"/portal/audit/" + sequence + "\">" + sequence + "</a>.*?</tr>", Pattern.DOTALL)
                .matcher(page);
        assertThat(row.find()).as("record %d is on the page", sequence).isTrue();
        return row.group();
    }
}
