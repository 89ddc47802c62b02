package io.warden.app;

import static io.warden.app.PortalTests.browser;
import static io.warden.app.PortalTests.get;
import static io.warden.app.PortalTests.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import io.warden.audit.ExportVerifier;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The catalogue pages (each entry with the agents that use it, by name, and what each role may see of it) and the
 * readable name columns of the portal's audit exports, which must still verify.
 */
class CatalogPagesTests extends IntegrationTest {

    static final String AGENT_LINK = "<a href=\"/portal/agents/";

    @Test
    void anOwnerSeesScopesToolsAndRulesWithTheirAgentsButNoBackendsOrSources() throws Exception {
        HttpClient browser = browser();
        signIn(browser, "otto.owner");
        HttpResponse<String> page = get(browser, "/portal/catalog");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body())
                .contains("<h1>Catalog</h1>", "id=\"catalog-scopes\"", "CT imaging, de-identified")
                .contains("id=\"catalog-tools\"", "Image similarity search (MedImageInsight embeddings)")
                .contains("id=\"catalog-rules\"")
                .doesNotContain("id=\"catalog-servers\"", "id=\"catalog-sources\"", "id=\"catalog-collections\"");
        assertThat(page.body())
                .as("the CT scope is held by the demo retrieval, specialist and cohort builder agents at least")
                .containsPattern("data-scope=\"imaging-ct-deid\">[\\s\\S]*?class=\"used-by\">([3-9]|\\d\\d+) agents<");

        HttpResponse<String> scope = get(browser, "/portal/catalog/scopes/imaging-ct-deid");
        assertThat(scope.statusCode()).isEqualTo(200);
        assertThat(scope.body())
                .contains("<h1>CT imaging, de-identified</h1>", "id=\"catalog-agents\"")
                .contains(">Demo CT retrieval agent</a>", ">Demo imaging cohort builder</a>", AGENT_LINK)
                .as("data sources are admins'")
                .doesNotContain("id=\"scope-sources\"");

        HttpResponse<String> tool = get(browser, "/portal/catalog/tools/image-search");
        assertThat(tool.statusCode()).isEqualTo(200);
        assertThat(tool.body())
                .contains("Image similarity search (MedImageInsight embeddings)", "Built into Warden (retrieval)")
                .contains(">Demo CT retrieval agent</a>", ">Demo wound classifier</a>")
                .doesNotContain(">Demo imaging cohort builder</a>");
    }

    @Test
    void mcpServerPagesAreForAdminsAloneAndUnknownEntriesAreNotFound() throws Exception {
        HttpClient owner = browser();
        signIn(owner, "otto.owner");
        HttpResponse<String> refused = get(owner, "/portal/catalog/mcp-servers/anything");
        assertThat(refused.statusCode()).isEqualTo(403);

        HttpClient admin = browser();
        signIn(admin, "ada.admin");
        HttpResponse<String> overview = get(admin, "/portal/catalog");
        assertThat(overview.statusCode()).isEqualTo(200);
        assertThat(overview.body())
                .as("admins see the backends and the sources, or what to do when there are none")
                .contains("MCP servers", "Data sources", "id=\"catalog-collections\"");
        assertThat(get(admin, "/portal/catalog/mcp-servers/no-such-server").statusCode())
                .isEqualTo(404);
        assertThat(get(admin, "/portal/catalog/scopes/no-such-scope").statusCode())
                .isEqualTo(404);
        HttpResponse<String> hostile = get(admin, "/portal/catalog/tools/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        assertThat(hostile.statusCode()).isIn(400, 404);
        assertThat(hostile.body()).doesNotContain("<script>alert(1)</script>");
    }

    @Test
    void thePortalsCsvExportNamesPeopleAndAgentsBesideTheRecordAndVerifies() throws Exception {
        HttpClient browser = browser();
        signIn(browser, "carla.compliance");
        long head = client.get("/api/v1/audit/events?limit=1", compliance())
                .json()
                .get("items")
                .get(0)
                .get("sequence")
                .asLong();
        HttpResponse<String> csv = get(browser, "/portal/audit/export?format=csv&from=1&to=" + head);
        assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
        List<String> header =
                Arrays.asList(csv.body().lines().findFirst().orElseThrow().split(","));
        assertThat(header).endsWith("actor_name", "agent_name", "owner_name");
        assertThat(csv.body())
                .as("the demo catalogue and agents were made by the demo admin, owned by the demo owner")
                .contains(",Ada Admin (demo),")
                .contains("Dr. Otto Owner (demo)");

        Path keys = Files.createTempFile("warden-keys", ".json");
        Files.writeString(keys, client.get("/api/v1/audit/keys", compliance()).body());
        var verification = ExportVerifier.verify(new StringReader(csv.body()), ExportVerifier.readKeys(keys));
        assertThat(verification.valid()).as("%s", verification).isTrue();

        HttpResponse<String> ndjson = get(browser, "/portal/audit/export?format=ndjson&from=1&to=" + head);
        assertThat(ndjson.body()).contains("\"actorName\":\"Ada Admin (demo)\"");
        assertThat(ExportVerifier.verify(new StringReader(ndjson.body()), ExportVerifier.readKeys(keys))
                        .valid())
                .isTrue();
    }

    @Test
    void anAuditRecordNamesTheAgentItTargetsAndKeepsTheIdToCopy() throws Exception {
        var registered = client.get("/api/v1/audit/events?action=agent.registered&limit=1", compliance())
                .json()
                .get("items")
                .get(0);
        long sequence = registered.get("sequence").asLong();
        String agentId = registered.get("agentId").asString();
        String name = client.get("/api/v1/agents/" + agentId, admin())
                .json()
                .get("name")
                .asString();
        HttpClient browser = browser();
        signIn(browser, "carla.compliance");
        HttpResponse<String> page = get(browser, "/portal/audit/" + sequence);
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.body())
                .contains("id=\"target-name\"", "agent " + name, "<code class=\"small\">" + agentId + "</code>");
    }
}
