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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The policy page (issue 22): the rules by name with their version, the versions with what each changed, and what-if
 * replay beside each change — a change not yet made (one data scope's purposes) and a version already made — through
 * the real sign-in and the same use case as {@code POST /api/v1/policy/simulations}, which records each replay.
 */
class PolicyPagesTests extends IntegrationTest {

    static final String SCOPE = "imaging-ct-deid";

    @Autowired
    Embedder embedder;

    @Autowired
    VectorCollections collections;

    @BeforeEach
    void collection() {
        collections.replace(
                "policy-page-notes",
                IndexKind.HNSW,
                embedder.dimension(),
                TextItem.records(embedder, List.of(new TextItem("p1", "CT chest axial", Map.of("dataset", SCOPE)))));
        governedCollection("policy-page-notes", SCOPE);
    }

    @Test
    void aComplianceOfficerReplaysAChangeBeforeItIsMadeAndSeesWhoItWouldStop() throws Exception {
        var served = client.call("POST", "/gateway/v1/text-search", agent(), """
                {"collection":"policy-page-notes","dataset":"%s","purposeOfUse":"TREAT","text":"CT chest","k":3}""".formatted(SCOPE));
        assertThat(served.status()).as(served.body()).isEqualTo(200);
        JsonNode scope = client.get("/api/v1/data-scopes/" + SCOPE, admin()).json();
        String scopeName = scope.get("displayName").asString();
        String agentName = agentByClientId("demo-retrieval-agent").get("name").asString();

        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        HttpResponse<String> page = get(carla, "/portal/policy");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("id=\"policy-scopes\"", "id=\"policy-tools\"", "id=\"policy-versions\"")
                .contains("Try a change to " + scopeName)
                .doesNotContain("id=\"simulate\"");

        HttpResponse<String> form = get(carla, "/portal/policy?scope=" + SCOPE);
        assertThat(form.body())
                .contains("id=\"simulate\"", "Data scope " + scopeName)
                .containsPattern("id=\"allowed-TREAT\"[^>]*checked");

        // every purpose the scope serves but TREAT: the call above would have been refused
        List<String> fields = new ArrayList<>();
        fields.add("scope=" + SCOPE);
        scope.get("allowedPurposes").forEach(p -> {
            if (!"TREAT".equals(p.asString())) {
                fields.add("allowedPurposes=" + p.asString());
            }
        });
        scope.get("deidentifyFor").forEach(p -> {
            if (!"TREAT".equals(p.asString())) {
                fields.add("deidentifyFor=" + p.asString());
            }
        });
        fields.add("sensitivity=" + scope.get("sensitivity").asString());
        fields.add("approvalRequired=no");
        fields.add("days=1");
        fields.add("description=Stop+treatment+use+of+CT");
        HttpResponse<String> replayed =
                post(carla, "/portal/policy/simulations", form.body(), String.join("&", fields));
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(replayed.body())
                .contains("id=\"simulation\"", "replayed against the last 1 day of decisions")
                .containsPattern("[1-9][0-9]* allowed would be denied")
                .contains("id=\"flips-by-agent\"", agentName, "PURPOSE_NOT_ALLOWED", scopeName);
        String toolName = client.get("/api/v1/tools/text-search", admin())
                .json()
                .get("displayName")
                .asString();
        assertThat(replayed.body())
                .as("the examples name the tool by its title")
                .contains(toolName + " on " + scopeName)
                .doesNotContain(">text-search on ");
        JsonNode audited = client.get("/api/v1/audit/events?action=policy.simulated&limit=1", compliance())
                .json()
                .get("items")
                .get(0);
        assertThat(audited.toString()).contains("Stop treatment use of CT");

        // a range the page does not offer is refused beside the form, nothing replayed
        HttpResponse<String> odd = post(
                carla, "/portal/policy/simulations", form.body(), "scope=" + SCOPE + "&allowedPurposes=TREAT&days=5");
        assertThat(odd.statusCode()).isEqualTo(200);
        assertThat(odd.body()).contains("Replay the last 1, 7, 30 or 90 days").doesNotContain("id=\"simulation\"");

        // a tool's limit, refused when out of range
        HttpResponse<String> tooMany =
                post(carla, "/portal/policy/simulations", form.body(), "tool=text-search&maxK=0&days=1");
        assertThat(tooMany.body()).contains("id=\"policy-problem\"").doesNotContain("id=\"simulation\"");
    }

    @Test
    void aVersionsChangeIsReplayedBesideIt() throws Exception {
        long version = client.get("/api/v1/policy/versions/current", compliance())
                .json()
                .get("version")
                .asLong();
        HttpClient ada = browser();
        signIn(ada, "ada.admin");
        HttpResponse<String> page = get(ada, "/portal/policy");
        assertThat(page.body())
                .contains("data-version=\"" + version + "\"", "Replay version " + version + "&#39;s change");
        HttpResponse<String> replayed =
                post(ada, "/portal/policy/versions/" + version + "/replay", page.body(), "days=7");
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(replayed.body())
                .satisfiesAnyOf(
                        body -> assertThat(body)
                                .contains("Version " + version + "&#39;s change, replayed against the 7 days"),
                        body -> assertThat(body).contains("changed no rule that still exists"));
        assertThat(post(ada, "/portal/policy/versions/999999999/replay", page.body(), "days=7")
                        .body())
                .contains("No policy version 999999999");
    }

    @Test
    void securityOperationsReadTheRulesButDoNotReplayAndOwnersDoNotSeeThem() throws Exception {
        HttpClient sam = browser();
        signIn(sam, "sam.secops");
        HttpResponse<String> page = get(sam, "/portal/policy?scope=" + SCOPE);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"policy-scopes\"").doesNotContain("id=\"simulate\"", "Try a change");
        long before = simulations();
        assertThat(post(sam, "/portal/policy/simulations", page.body(), "scope=" + SCOPE + "&days=1")
                        .statusCode())
                .isEqualTo(403);
        assertThat(simulations()).as("nothing replayed by a refused post").isEqualTo(before);

        HttpClient otto = browser();
        signIn(otto, "otto.owner");
        assertThat(get(otto, "/portal/policy").statusCode()).isEqualTo(403);
    }

    private static long simulations() {
        JsonNode items = client.get("/api/v1/audit/events?action=policy.simulated&limit=200", compliance())
                .json()
                .get("items");
        List<String> seen = new ArrayList<>();
        items.forEach(i -> seen.add(i.get("sequence").asString()));
        return seen.stream().collect(Collectors.toSet()).size();
    }
}
