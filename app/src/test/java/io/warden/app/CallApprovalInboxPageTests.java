package io.warden.app;

import static io.warden.app.PortalTests.browser;
import static io.warden.app.PortalTests.get;
import static io.warden.app.PortalTests.post;
import static io.warden.app.PortalTests.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The approver's inbox in the portal: the calls parked for approval that this person may see, by the names people
 * know (agent, person, tool, data scope), each linking to its page. Threat: an approver who sees only ids approves
 * the wrong call; an administrator reads the arguments of a PHI call; an owner or security operations reach the
 * inbox at all.
 */
class CallApprovalInboxPageTests extends IntegrationTest {

    static final String OLIVIA = TokenExchangeTests.OLIVIA;
    static final String OLIVIA_NAME = "Dr. Olivia Owner (demo)";
    static final String AGENT_NAME = "Demo CT retrieval agent";

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    Clock clock;

    @BeforeEach
    void markTextSearch() {
        collections.replace(
                "inbox-notes",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(
                        embedder, List.of(new TextItem("i1", "CT chest axial", Map.of("dataset", "imaging-ct-deid")))));
        governedCollection("inbox-notes", "imaging-ct-deid");
        CallApprovalTests.mark("text-search", true);
    }

    @AfterEach
    void unmark() {
        CallApprovalTests.mark("text-search", false);
    }

    @Test
    void aParkedCallOnBehalfOfAPersonIsListedByNamesAndMovesToTheDecidedOnceApproved() throws Exception {
        String olivia = client.signIn("olivia.owner", "warden-demo");
        String forOlivia = TokenExchangeTests.exchange(TokenExchangeTests.AGENT, TokenExchangeTests.SECRET, olivia)
                .json()
                .get("access_token")
                .asString();
        var parked = client.call("POST", "/gateway/v1/text-search", forOlivia, """
                {"collection":"inbox-notes","dataset":"imaging-ct-deid","purposeOfUse":"HRESCH","text":"CT chest","k":1}""");
        assertThat(parked.status()).as(parked.body()).isEqualTo(202);
        String id = parked.json().get("approvalId").asString();
        String scopeName = client.get("/api/v1/data-scopes/imaging-ct-deid", admin())
                .json()
                .get("displayName")
                .asString();
        String toolName = client.get("/api/v1/tools/text-search", admin())
                .json()
                .get("displayName")
                .asString();

        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        HttpResponse<String> inbox = get(carla, "/portal/approvals/calls");
        assertThat(inbox.statusCode()).isEqualTo(200);
        String pending = section(inbox.body(), "pending-calls");
        assertThat(row(pending, id))
                .contains(
                        "<td>" + AGENT_NAME + "</td>",
                        "<td>" + OLIVIA_NAME + "</td>",
                        "<td>" + toolName + "</td>",
                        "<td>" + scopeName + "</td>",
                        "<td>HRESCH</td>",
                        " ago</td>",
                        ">expires in ",
                        "href=\"/portal/approvals/calls/" + id + "\">Review and decide</a>");
        assertThat(inbox.body()).as("names, not directory ids").doesNotContain(OLIVIA);
        assertThat(inbox.body())
                .as("the nav counts what waits for her")
                .containsPattern("class=\"call-inbox\">Call approvals<span> \\(\\d+ waiting\\)</span>");

        HttpResponse<String> page = get(carla, "/portal/approvals/calls/" + id);
        assertThat(page.body())
                .as("the call's page names the agent, tool and data scope, their keys only to copy")
                .containsPattern("id=\"call-agent\"><a href=\"/portal/agents/[0-9a-f-]{36}\">" + AGENT_NAME + "</a>")
                .contains("id=\"call-tool\"><span>" + toolName + "</span> <code>text-search</code>")
                .contains("id=\"call-scope\"><span>" + scopeName + "</span> <code>imaging-ct-deid</code>");
        var approved = post(carla, "/portal/approvals/calls/" + id + "/approve", page.body(), "reason=tumour+board");
        assertThat(approved.statusCode()).isEqualTo(200);
        assertThat(approved.body()).contains("Approved: the agent may make this call once.");
        assertThat(approved.body())
                .as("who decided, by name")
                .contains("id=\"call-decider\">Carla Compliance")
                .doesNotContainPattern("id=\"call-decider\">[0-9a-f]{8}-");

        String after = get(carla, "/portal/approvals/calls").body();
        String stillPending = after.contains("id=\"pending-calls\"") ? section(after, "pending-calls") : "";
        assertThat(stillPending).doesNotContain(id);
        assertThat(row(section(after, "decided-calls"), id))
                .contains(">APPROVED</a>", "<td>" + OLIVIA_NAME + "</td>", "Carla Compliance")
                .contains("tumour board");
    }

    @Test
    void anAdministratorsInboxLeavesOutAPhiCallAndOwnersAndSecurityOperationsAreRefused() throws Exception {
        // a call on a PHI scope, parked as the gateway parks it: its arguments are PHI, so compliance alone reads them
        UUID id = UUID.randomUUID();
        Instant now = clock.instant();
        jdbc.sql("""
                insert into call_approval (id, client_id, agent_id, agent_name, tool, dataset, phi, purpose, digest,
                    shown, edge, state, created_at, expires_at)
                values (:id, 'demo-wound-classifier', :agent, 'Demo wound classifier', 'classify', 'dermatology-phi',
                    true, 'TREAT', 'sha256:inbox', cast('{"patient":"P-9"}' as jsonb), 'REST', 'PENDING', :now, :expires)""")
                .param("id", id)
                .param("agent", UUID.randomUUID().toString())
                .param("now", Timestamp.from(now))
                .param("expires", Timestamp.from(now.plus(Duration.ofMinutes(15))))
                .update();

        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        assertThat(get(carla, "/portal/approvals/calls").body()).contains("data-approval=\"" + id + "\"");

        HttpClient ada = browser();
        signIn(ada, "ada.admin");
        HttpResponse<String> adminInbox = get(ada, "/portal/approvals/calls");
        assertThat(adminInbox.statusCode()).isEqualTo(200);
        assertThat(adminInbox.body())
                .as("an administrator may not decide a PHI call, so it is not in her inbox")
                .doesNotContain(id.toString())
                .doesNotContain("Demo wound classifier")
                .contains("class=\"call-inbox\">Call approvals");
        assertThat(get(ada, "/portal/approvals/calls/" + id).statusCode()).isEqualTo(404);

        for (String person : List.of("otto.owner", "sam.secops")) {
            HttpClient browser = browser();
            HttpResponse<String> home = signIn(browser, person);
            assertThat(home.body()).as("no inbox link for %s", person).doesNotContain("/portal/approvals/calls");
            assertThat(get(browser, "/portal/approvals/calls").statusCode())
                    .as(person)
                    .isEqualTo(403);
        }
        // out of the other tests' inboxes: nobody is to decide this row
        jdbc.sql("update call_approval set state = 'EXPIRED' where id = :id")
                .param("id", id)
                .update();
    }

    /** One table of the inbox page, by its id. */
    private static String section(String page, String table) {
        Matcher matcher = Pattern.compile("id=\"" + table + "\".*?</table>", Pattern.DOTALL)
                .matcher(page);
        assertThat(matcher.find()).as("table %s is on the page", table).isTrue();
        return matcher.group();
    }

    /** The table's row for one parked call. */
    private static String row(String table, String id) {
        Matcher row = Pattern.compile("data-approval=\"" + id + "\">.*?</tr>", Pattern.DOTALL)
                .matcher(table);
        assertThat(row.find()).as("call %s is in the table", id).isTrue();
        return row.group();
    }
}
