package io.warden.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.registry.Actor;
import io.warden.registry.Catalog;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Commands;
import io.warden.registry.EgressAllowlist;
import io.warden.registry.EgressHostView;
import io.warden.registry.McpServerView.UpstreamAuth;
import io.warden.registry.McpServers;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import io.warden.registry.events.EgressHostChanged;
import io.warden.registry.events.McpServerChanged;
import io.warden.registry.events.ToolSaved;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;

/** Tool backends, MCP servers and the egress allowlist against a real PostgreSQL. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@RecordApplicationEvents
class ToolBackendTests {

    static final Actor ADMIN = Actor.person("admin", Set.of(Role.ADMIN));

    @Autowired
    Catalog catalog;

    @Autowired
    CatalogQueries queries;

    @Autowired
    McpServers servers;

    @Autowired
    EgressAllowlist allowlist;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    ApplicationEvents events;

    private String id;
    private String domain;
    private String scope;

    @BeforeEach
    void catalogue() {
        id = UUID.randomUUID().toString().substring(0, 8);
        domain = "h" + id + ".example.org";
        scope = "scope-" + id;
        catalog.createDataScope(
                scope,
                new Commands.SaveDataScope(
                        "s",
                        "",
                        SensitivityLabel.INTERNAL,
                        false,
                        true,
                        new TreeSet<>(Set.of(PurposeOfUse.TREAT)),
                        new TreeSet<>()),
                false,
                ADMIN);
    }

    @Test
    void theAllowlistMatchesExactHostsAndWildcardsButNotTheBareDomainOrLookalikes() {
        allowlist.add("*." + domain, false, "everything under it", ADMIN);
        EgressHostView exact = allowlist.add("API." + domain + ".", true, "the API", ADMIN);

        assertThat(exact.host()).as("stored normalized").isEqualTo("api." + domain);
        assertThat(allowlist.matches("API." + domain)).contains(exact);
        assertThat(allowlist.matches("a.b." + domain))
                .hasValueSatisfying(e -> assertThat(e.host()).isEqualTo("*." + domain));
        assertThat(allowlist.matches(domain))
                .as("a wildcard does not cover the domain itself")
                .isEmpty();
        assertThat(allowlist.matches("evil" + domain)).isEmpty();
        assertThat(allowlist.matches(domain + ".evil.net")).isEmpty();
        assertThatThrownBy(() -> allowlist.add("*.org", false, "r", ADMIN))
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("host"));
        assertThatThrownBy(() -> allowlist.add("https://x." + domain + "/", false, "r", ADMIN))
                .isInstanceOf(RegistryException.InvalidField.class);

        allowlist.remove("api." + domain, ADMIN);
        assertThat(allowlist.matches("api." + domain))
                .hasValueSatisfying(e -> assertThat(e.host()).startsWith("*."));
        assertThat(events.stream(EgressHostChanged.class)).hasSize(3);
    }

    @Test
    void anMcpToolTakesItsPhiApprovalFromItsServerAndTheServerCannotGoWhileUsed() {
        allowlist.add("mcp." + domain, false, "r", ADMIN);
        servers.register(
                "srv-" + id,
                new McpServers.Save(
                        "S",
                        "https://mcp." + domain + "/mcp",
                        new UpstreamAuth(UpstreamAuth.Kind.BEARER, "srv-token", null, null, null),
                        false),
                ADMIN);
        ToolView tool = catalog.createTool("mcp-" + id, mcpTool("srv-" + id), false, ADMIN);
        assertThat(tool.target()).isEqualTo(new ToolBackend.Mcp("srv-" + id, "search", false));
        assertThat(tool.backend()).isEqualTo("mcp");
        assertThat(tool.dataScopes()).containsExactly(scope);

        servers.update(
                "srv-" + id,
                new McpServers.Save("S", "https://mcp." + domain + "/mcp", UpstreamAuth.none(), true),
                1,
                ADMIN);
        assertThat(queries.tool("mcp-" + id).target().phiApproved()).isTrue();
        assertThatThrownBy(() -> servers.update(
                        "srv-" + id,
                        new McpServers.Save("S", "https://mcp." + domain + "/mcp", UpstreamAuth.none(), true),
                        1,
                        ADMIN))
                .isInstanceOf(RegistryException.StaleVersion.class);
        assertThatThrownBy(() -> servers.delete("srv-" + id, 2, ADMIN))
                .isInstanceOfSatisfying(
                        RegistryException.class, e -> assertThat(e.code()).isEqualTo("mcp-server-in-use"));
        assertThat(events.stream(McpServerChanged.class)).hasSize(2);
        assertThat(events.stream(ToolSaved.class))
                .anySatisfy(e -> assertThat(e.target()).isEqualTo("MCP srv-" + id + "/search"));
    }

    @Test
    void anHttpToolIsCheckedAgainstTheAllowlistAndItsLimits() {
        allowlist.add(domain, false, "r", ADMIN);
        ToolView saved =
                catalog.createTool("http-" + id, httpTool("https://" + domain + "/p/{id}", 2000), false, ADMIN);
        assertThat(saved.target())
                .isEqualTo(new ToolBackend.Http(
                        "POST", "https://" + domain + "/p/{id}", Duration.ofSeconds(2), 1024, "tok", true));

        assertThatThrownBy(() ->
                        catalog.createTool("h2-" + id, httpTool("https://other." + domain + "/", 2000), false, ADMIN))
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("backend.urlTemplate"));
        assertThatThrownBy(() ->
                        catalog.createTool("h3-" + id, httpTool("http://" + domain + ":{port}/", 2000), false, ADMIN))
                .isInstanceOf(RegistryException.InvalidField.class);
        assertThatThrownBy(() ->
                        catalog.createTool("h4-" + id, httpTool("https://" + domain + "/", 300_001), false, ADMIN))
                .isInstanceOfSatisfying(
                        RegistryException.InvalidField.class,
                        e -> assertThat(e.field()).isEqualTo("backend.timeoutMs"));
    }

    @Test
    void theTableRefusesARowWhoseColumnsBelongToAnotherKind() {
        assertThatThrownBy(() -> jdbc.sql("""
                        insert into tool (key, display_name, backend, required_scopes, max_k, sensitivity, created_at,
                            updated_at, version, backend_kind, http_method)
                        values ('bad-%s', 'x', 'retrieval', '{}', 1, 'INTERNAL', now(), now(), 1, 'BUILTIN', 'GET')""".formatted(id)).update())
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    private Commands.SaveTool mcpTool(String server) {
        return new Commands.SaveTool(
                "M",
                "",
                "mcp",
                new TreeSet<>(),
                5,
                SensitivityLabel.INTERNAL,
                new ToolBackend.Mcp(server, "search", false),
                "{\"type\":\"object\"}",
                new TreeSet<>(Set.of(scope)),
                false);
    }

    private Commands.SaveTool httpTool(String url, int timeoutMs) {
        return new Commands.SaveTool(
                "H",
                "",
                "http",
                new TreeSet<>(),
                5,
                SensitivityLabel.INTERNAL,
                new ToolBackend.Http("post", url, Duration.ofMillis(timeoutMs), 1024, "tok", true),
                "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}}}",
                new TreeSet<>(Set.of(scope)),
                true);
    }
}
