package io.warden.app;

import static io.warden.app.AgentActionsPortalTests.OLIVIA;
import static io.warden.app.AgentActionsPortalTests.OTTO;
import static io.warden.app.AgentActionsPortalTests.activeAgentOfOtto;
import static io.warden.app.AgentActionsPortalTests.escaped;
import static io.warden.app.AgentActionsPortalTests.signedIn;
import static io.warden.app.PortalTests.get;
import static io.warden.app.PortalTests.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Choosing by name in the portal: the owner reassign form's people search and the kill switch's agent search, each
 * for those who may take the action only, hostile text refused as a problem naming {@code q}, and what is posted is
 * the id the API takes, refused as the API refuses it.
 */
class NamePickersPortalTests extends IntegrationTest {

    static String q(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    static HttpResponse<String> getJson(HttpClient browser, String path) throws Exception {
        return browser.send(
                HttpRequest.newBuilder(URI.create(client.base() + path))
                        .header("Accept", "application/problem+json, text/html")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A person added to the directory through its API, enabled or not. */
    static String person(String displayName, boolean enabled) {
        String id = "picker-" + UUID.randomUUID();
        var added = client.call("POST", "/api/v1/directory/users", admin(), """
                {"id":"%s","userPrincipalName":"%s@demo.warden.local","displayName":"%s","mail":"%s@demo.warden.local"}""".formatted(id, id, displayName, id));
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        if (!enabled) {
            assertThat(client.call("PUT", "/api/v1/directory/users/" + id + "/account", admin(), "{\"enabled\":false}")
                            .status())
                    .isEqualTo(200);
        }
        return id;
    }

    @Test
    void onlyThoseWhoMayReassignAnOwnerSearchPeople() throws Exception {
        for (String username : new String[] {"otto.owner", "sam.secops", "carla.compliance"}) {
            HttpResponse<String> refused = get(signedIn(username), "/portal/people?q=olivia");
            assertThat(refused.statusCode()).as(username).isEqualTo(403);
            assertThat(refused.body()).as(username).doesNotContain(OLIVIA);
        }
        HttpResponse<String> found = get(signedIn("ada.admin"), "/portal/people?q=olivia");
        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(found.body())
                .as("by name, the id as what the radio button posts")
                .contains("Dr. Olivia Owner (demo)", "name=\"ownerId\"", "value=\"" + OLIVIA + "\"")
                .doesNotContain(OTTO);
    }

    @Test
    void activePeopleComeFirstAndThoseWhoMayNotOwnAreShownButNotChoosable() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String departed = person("Aaron Departed " + run, false);
        String present = person("Zoe Present " + run, true);
        String body = get(signedIn("ada.admin"), "/portal/people?q=" + run).body();
        assertThat(body.indexOf(present))
                .as("the active person first")
                .isPositive()
                .isLessThan(body.indexOf(departed));
        assertThat(body)
                .contains("2 people found", present + "@demo.warden.local", "account disabled")
                .containsPattern("value=\"" + departed + "\"[^>]*disabled");
    }

    @Test
    void hostileSearchTextIsRefusedNamingTheFieldAndWhatIsShownIsEscaped() throws Exception {
        HttpClient ada = signedIn("ada.admin");
        for (String hostile : new String[] {"a".repeat(101), "olivia\u0000", "olivia\u202E", "a\nb"}) {
            HttpResponse<String> refused = getJson(ada, "/portal/people?q=" + q(hostile));
            assertThat(refused.statusCode()).as(hostile).isEqualTo(400);
            JsonNode problem = JsonMapper.builder().build().readTree(refused.body());
            assertThat(problem.get("field").asString()).isEqualTo("q");
        }
        // a LIKE wildcard is looked for as itself: it finds nobody rather than everybody
        assertThat(get(ada, "/portal/people?q=" + q("%")).body())
                .contains("Nobody found")
                .doesNotContain(OLIVIA);
        assertThat(get(ada, "/portal/people?q=" + q("_")).body()).doesNotContain(OLIVIA);
        String script = get(ada, "/portal/people?q=" + q("<script>alert(1)</script>\" OR 1=1"))
                .body();
        assertThat(script).doesNotContain("<script>alert").contains("&lt;script&gt;");

        HttpClient sam = signedIn("sam.secops");
        HttpResponse<String> agents = getJson(sam, "/portal/kill-switches/agents?q=" + q("x\u0007"));
        assertThat(agents.statusCode()).isEqualTo(400);
        assertThat(agents.body()).contains("\"field\":\"q\"");
    }

    @Test
    void theOwnerFormPostsTheChosenPersonsIdAndAnInactiveOneIsRefusedAsTheApiRefusesIt() throws Exception {
        String id = activeAgentOfOtto("Picker-owner");
        String departed = person("Departed Picker " + UUID.randomUUID(), false);
        HttpClient ada = signedIn("ada.admin");
        String page = get(ada, "/portal/agents/" + id).body();
        assertThat(page)
                .as("a labelled search field that lists people, not a field for a typed id")
                .contains("for=\"owner-find\"", "id=\"owner-choices\"", "hx-get=\"/portal/people\"")
                .doesNotContain("directory id</label>");

        // the Find button without script: the page again, with the people found, and nothing changed
        HttpResponse<String> find = post(ada, "/portal/agents/" + id + "/owner", page, "q=olivia&find=true");
        assertThat(find.statusCode()).isEqualTo(200);
        assertThat(find.body()).contains("value=\"" + OLIVIA + "\"", "Dr. Olivia Owner (demo)");
        assertThat(client.get("/api/v1/agents/" + id, admin())
                        .json()
                        .get("ownerId")
                        .asString())
                .isEqualTo(OTTO);

        HttpResponse<String> inactive = post(
                ada,
                "/portal/agents/" + id + "/owner",
                page,
                "q=departed&ownerId=" + departed + "&reason=handover&confirmed=true");
        var api = client.call(
                "PUT",
                "/api/v1/agents/" + id + "/owner",
                admin(),
                "{\"ownerId\":\"" + departed + "\",\"reason\":\"handover\"}");
        assertThat(inactive.statusCode()).isEqualTo(api.status()).isBetween(400, 499);
        assertThat(inactive.body())
                .contains(escaped(api.json().get("detail").asString()))
                .as("the search typed is kept, and its people listed again")
                .contains("value=\"departed\"");

        HttpResponse<String> moved = post(
                ada,
                "/portal/agents/" + id + "/owner",
                page,
                "q=olivia&ownerId=" + OLIVIA + "&reason=handover&confirmed=true");
        assertThat(moved.body()).contains("Owner changed.");
        assertThat(client.get("/api/v1/agents/" + id, admin())
                        .json()
                        .get("ownerId")
                        .asString())
                .isEqualTo(OLIVIA);
    }

    @Test
    void theKillSwitchIsAimedAtAnAgentFoundByNameAndAtToolsAndScopesByTitle() throws Exception {
        String id = activeAgentOfOtto("Picker-kill");
        String name =
                client.get("/api/v1/agents/" + id, admin()).json().get("name").asString();
        String clientId = client.get("/api/v1/agents/" + id, admin())
                .json()
                .get("clientId")
                .asString();

        HttpResponse<String> refused = get(signedIn("otto.owner"), "/portal/kill-switches/agents?q=Picker");
        assertThat(refused.statusCode()).isEqualTo(403);

        HttpClient sam = signedIn("sam.secops");
        HttpResponse<String> page = get(sam, "/portal/kill-switches");
        assertThat(page.body())
                .as("tools and data scopes by title")
                .contains("Natural-language imaging cohort search", "value=\"cohort-search\"")
                .contains("for=\"agent-find\"", "hx-get=\"/portal/kill-switches/agents\"")
                .doesNotContain("its id or client id");
        String found = get(sam, "/portal/kill-switches/agents?q=" + q(name)).body();
        assertThat(found).contains(escaped(name), clientId, "name=\"target\"", "value=\"" + id + "\"");
        assertThat(get(sam, "/portal/kill-switches/agents?q=" + q(clientId)).body())
                .as("a pasted client id finds its agent")
                .contains("value=\"" + id + "\"");
        assertThat(get(sam, "/portal/kill-switches?q=" + q(name)).body())
                .as("without script, the page lists the agents found")
                .contains("value=\"" + id + "\"");

        HttpResponse<String> unchosen =
                post(sam, "/portal/kill-switches", page.body(), "scope=AGENT&q=x&reason=test&confirmed=true");
        assertThat(unchosen.body()).contains("Choose the agent to stop");

        HttpResponse<String> engaged = post(
                sam,
                "/portal/kill-switches",
                page.body(),
                "scope=AGENT&q=" + q(name) + "&target=" + id + "&reason=picker+test&confirmed=true");
        assertThat(engaged.body()).contains("Engaged: AGENT " + escaped(name) + " (" + clientId + ")");
        for (var each : client.get("/api/v1/kill-switches", secops()).json()) {
            if (id.equals(each.get("target").asString())) {
                client.call(
                        "POST",
                        "/api/v1/kill-switches/" + each.get("id").asString() + "/release",
                        secops(),
                        "{\"reason\":\"test over\"}");
            }
        }
    }
}
