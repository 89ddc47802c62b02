package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every endpoint × every role × anonymous × an agent token. A caller the rule admits gets past security to
 * the endpoint's own answer (ids that do not exist and empty bodies keep the data unchanged); any other
 * person gets 403, an agent 403 and an anonymous caller 401, all as problem+json.
 */
class RoleMatrixTests extends IntegrationTest {

    private static final Set<String> PEOPLE = Set.of("ADMIN", "OWNER", "COMPLIANCE", "SECOPS");
    private static final String MISSING = UUID.randomUUID().toString();

    /** An endpoint, the body sent, who may call it, and what those admitted get. */
    record Endpoint(String method, String path, @Nullable String body, Set<String> allowed, int admitted) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Endpoint> ENDPOINTS = List.of(
            new Endpoint("GET", "/api/v1/agents", null, PEOPLE, 200),
            new Endpoint("POST", "/api/v1/agents", "{}", Set.of("ADMIN", "OWNER"), 400),
            new Endpoint("GET", "/api/v1/agents/" + MISSING, null, PEOPLE, 404),
            new Endpoint("PUT", "/api/v1/agents/" + MISSING, "{}", Set.of("ADMIN", "OWNER"), 400),
            new Endpoint("PUT", "/api/v1/agents/" + MISSING + "/owner", "{}", Set.of("ADMIN"), 400),
            new Endpoint("POST", "/api/v1/agents/" + MISSING + "/submit", null, Set.of("ADMIN", "OWNER"), 404),
            new Endpoint(
                    "POST",
                    "/api/v1/agents/" + MISSING + "/suspend",
                    "{\"reason\":\"r\"}",
                    Set.of("ADMIN", "SECOPS"),
                    404),
            new Endpoint(
                    "POST", "/api/v1/agents/" + MISSING + "/reinstate", "{\"reason\":\"r\"}", Set.of("ADMIN"), 404),
            new Endpoint(
                    "POST",
                    "/api/v1/agents/" + MISSING + "/retire",
                    "{\"reason\":\"r\"}",
                    Set.of("ADMIN", "OWNER"),
                    404),
            new Endpoint(
                    "POST",
                    "/api/v1/agents/" + MISSING + "/change-requests",
                    "{\"addScopes\":[\"imaging-ct-deid\"],\"justification\":\"j\"}",
                    Set.of("ADMIN", "OWNER"),
                    404),
            new Endpoint("DELETE", "/api/v1/agents/" + MISSING, null, Set.of(), 0),
            new Endpoint("POST", "/api/v1/agents/" + MISSING + "/attestation", null, Set.of("ADMIN", "OWNER"), 404),
            new Endpoint("POST", "/api/v1/agents/" + MISSING + "/keep", null, Set.of("ADMIN", "OWNER"), 404),
            new Endpoint(
                    "POST",
                    "/api/v1/agents/" + MISSING + "/incident",
                    "{\"reason\":\"r\"}",
                    Set.of("ADMIN", "SECOPS"),
                    404),
            new Endpoint(
                    "POST",
                    "/api/v1/agents/" + MISSING + "/incident/resolution",
                    "{\"resolution\":\"RETIRE\",\"reason\":\"r\"}",
                    Set.of("ADMIN", "SECOPS"),
                    404),
            new Endpoint("GET", "/api/v1/directory/users", null, PEOPLE, 200),
            new Endpoint("GET", "/api/v1/directory/users/nobody", null, PEOPLE, 404),
            new Endpoint("POST", "/api/v1/directory/users", "{}", Set.of("ADMIN"), 400),
            new Endpoint("PUT", "/api/v1/directory/users/nobody/account", "{\"enabled\":true}", Set.of("ADMIN"), 404),
            new Endpoint("GET", "/api/v1/group-entitlements", null, Set.of("ADMIN", "COMPLIANCE", "SECOPS"), 200),
            new Endpoint(
                    "GET", "/api/v1/group-entitlements/" + MISSING, null, Set.of("ADMIN", "COMPLIANCE", "SECOPS"), 404),
            new Endpoint("POST", "/api/v1/group-entitlements", "{}", Set.of("ADMIN"), 400),
            new Endpoint("GET", "/api/v1/break-glass-reviews", null, Set.of("ADMIN", "COMPLIANCE", "SECOPS"), 200),
            new Endpoint(
                    "POST",
                    "/api/v1/break-glass-reviews/" + MISSING,
                    "{\"finding\":\"JUSTIFIED\",\"note\":\"n\"}",
                    Set.of("COMPLIANCE", "SECOPS"),
                    404),
            new Endpoint("PUT", "/api/v1/group-entitlements/" + MISSING, "{}", Set.of("ADMIN"), 400),
            new Endpoint("DELETE", "/api/v1/group-entitlements/" + MISSING + "?version=1", null, Set.of("ADMIN"), 404),
            new Endpoint("GET", "/api/v1/cohort-runs", null, PEOPLE, 200),
            new Endpoint("GET", "/api/v1/cohort-runs/no-such-run", null, PEOPLE, 404),
            new Endpoint("GET", "/api/v1/cohort-runs/no-such-run/points", null, PEOPLE, 404),
            new Endpoint("GET", "/api/v1/lifecycle-rules", null, PEOPLE, 200),
            new Endpoint(
                    "PUT",
                    "/api/v1/lifecycle-rules/nope",
                    "{\"enabled\":true,\"parameters\":{},\"version\":0}",
                    Set.of("ADMIN"),
                    404),
            new Endpoint("GET", "/api/v1/approvals", null, PEOPLE, 200),
            new Endpoint("GET", "/api/v1/approvals/" + MISSING, null, PEOPLE, 404),
            new Endpoint(
                    "POST",
                    "/api/v1/approvals/" + MISSING + "/approve",
                    "{\"reason\":\"r\"}",
                    Set.of("ADMIN", "COMPLIANCE"),
                    404),
            new Endpoint(
                    "POST",
                    "/api/v1/approvals/" + MISSING + "/reject",
                    "{\"reason\":\"r\"}",
                    Set.of("ADMIN", "COMPLIANCE"),
                    404),
            new Endpoint("GET", "/api/v1/approvals/calls", null, Set.of("ADMIN", "COMPLIANCE"), 200),
            new Endpoint("GET", "/api/v1/approvals/calls/" + MISSING, null, Set.of("ADMIN", "COMPLIANCE"), 404),
            new Endpoint(
                    "POST",
                    "/api/v1/approvals/calls/" + MISSING + "/approve",
                    "{\"reason\":\"r\"}",
                    Set.of("ADMIN", "COMPLIANCE"),
                    404),
            new Endpoint(
                    "POST",
                    "/api/v1/approvals/calls/" + MISSING + "/deny",
                    "{\"reason\":\"r\"}",
                    Set.of("ADMIN", "COMPLIANCE"),
                    404),
            new Endpoint("GET", "/api/v1/data-scopes", null, PEOPLE, 200),
            new Endpoint("GET", "/api/v1/data-scopes/imaging-ct-deid", null, PEOPLE, 200),
            new Endpoint("POST", "/api/v1/data-scopes", "{}", Set.of("ADMIN"), 400),
            new Endpoint("PUT", "/api/v1/data-scopes/imaging-ct-deid", "{}", Set.of("ADMIN"), 400),
            new Endpoint("GET", "/api/v1/data-sources", null, PEOPLE, 200),
            new Endpoint("GET", "/api/v1/data-sources/no-such-source", null, PEOPLE, 404),
            new Endpoint("POST", "/api/v1/data-sources", "{}", Set.of("ADMIN"), 400),
            new Endpoint("PUT", "/api/v1/data-sources/no-such-source", "{}", Set.of("ADMIN"), 400),
            new Endpoint("DELETE", "/api/v1/data-sources/no-such-source?version=1", null, Set.of("ADMIN"), 404),
            new Endpoint("GET", "/api/v1/mcp-servers", null, Set.of("ADMIN"), 200),
            new Endpoint("GET", "/api/v1/mcp-servers/no-such-server", null, Set.of("ADMIN"), 404),
            new Endpoint("POST", "/api/v1/mcp-servers", "{}", Set.of("ADMIN"), 400),
            new Endpoint("PUT", "/api/v1/mcp-servers/no-such-server", "{}", Set.of("ADMIN"), 400),
            new Endpoint("DELETE", "/api/v1/mcp-servers/no-such-server?version=1", null, Set.of("ADMIN"), 404),
            new Endpoint("GET", "/api/v1/mcp-servers/no-such-server/upstream-tools", null, Set.of("ADMIN"), 404),
            new Endpoint("POST", "/api/v1/mcp-servers/no-such-server/imports", "{}", Set.of("ADMIN"), 400),
            new Endpoint("PUT", "/api/v1/mcp-servers/no-such-server/imports", "{}", Set.of(), 0),
            new Endpoint("GET", "/api/v1/egress-hosts", null, Set.of("ADMIN"), 200),
            new Endpoint("POST", "/api/v1/egress-hosts", "{}", Set.of("ADMIN"), 400),
            new Endpoint("DELETE", "/api/v1/egress-hosts/no-such-host.example", null, Set.of("ADMIN"), 404),
            new Endpoint("POST", "/api/v1/cohorts/cohort-none/transfer", "{}", Set.of("ADMIN"), 400),
            new Endpoint("GET", "/api/v1/collections", null, Set.of("ADMIN", "COMPLIANCE", "SECOPS"), 200),
            new Endpoint("GET", "/api/v1/collections/no-such", null, Set.of("ADMIN", "COMPLIANCE", "SECOPS"), 404),
            new Endpoint(
                    "GET", "/api/v1/collections/no-such/versions", null, Set.of("ADMIN", "COMPLIANCE", "SECOPS"), 404),
            new Endpoint(
                    "GET",
                    "/api/v1/collections/no-such/versions/1",
                    null,
                    Set.of("ADMIN", "COMPLIANCE", "SECOPS"),
                    404),
            new Endpoint(
                    "GET",
                    "/api/v1/collections/no-such/versions/1/evaluations",
                    null,
                    Set.of("ADMIN", "COMPLIANCE", "SECOPS"),
                    404),
            new Endpoint("POST", "/api/v1/collections", "{}", Set.of("ADMIN"), 400),
            // the role rule holds before the body's type is judged: a JSON body is no upload (415)
            new Endpoint("POST", "/api/v1/collections/no-such/uploads", "{}", Set.of("ADMIN"), 415),
            new Endpoint("POST", "/api/v1/collections/no-such/builds", "{}", Set.of("ADMIN"), 404),
            new Endpoint("DELETE", "/api/v1/collections/no-such/items/x", null, Set.of("ADMIN"), 404),
            new Endpoint("POST", "/api/v1/collections/no-such/retire", "{\"reason\":\"r\"}", Set.of("ADMIN"), 404),
            new Endpoint("POST", "/api/v1/collections/no-such/versions/1/evaluations", "{}", Set.of("ADMIN"), 404),
            new Endpoint("PUT", "/api/v1/collection-gates/no-such-scope", "{}", Set.of("ADMIN"), 400),
            new Endpoint("GET", "/api/v1/tools", null, PEOPLE, 200),
            new Endpoint("GET", "/api/v1/tools/image-search", null, PEOPLE, 200),
            new Endpoint("POST", "/api/v1/tools", "{}", Set.of("ADMIN"), 400),
            new Endpoint("PUT", "/api/v1/tools/image-search", "{}", Set.of("ADMIN"), 400),
            new Endpoint("GET", "/api/v1/audit/events?limit=5", null, Set.of("ADMIN", "COMPLIANCE"), 200),
            new Endpoint("GET", "/api/v1/audit/events/999999999", null, Set.of("ADMIN", "COMPLIANCE"), 404),
            new Endpoint("GET", "/api/v1/audit/verify?from=1&to=1", null, Set.of("ADMIN", "COMPLIANCE"), 200),
            new Endpoint("GET", "/api/v1/audit/keys", null, Set.of("ADMIN", "COMPLIANCE"), 200),
            new Endpoint(
                    "GET", "/api/v1/audit/exports?format=nope&from=1&to=1", null, Set.of("ADMIN", "COMPLIANCE"), 400),
            new Endpoint("DELETE", "/api/v1/audit/events/1", null, Set.of(), 0),
            new Endpoint("GET", "/api/v1/kill-switches", null, Set.of("ADMIN", "SECOPS"), 200),
            new Endpoint("POST", "/api/v1/kill-switches", "{}", Set.of("ADMIN", "SECOPS"), 400),
            new Endpoint(
                    "POST",
                    "/api/v1/kill-switches/" + MISSING + "/release",
                    "{\"reason\":\"r\"}",
                    Set.of("ADMIN", "SECOPS"),
                    404),
            new Endpoint("GET", "/api/v1/kill-switches/self-tests?limit=0", null, Set.of("ADMIN", "SECOPS"), 400),
            new Endpoint("POST", "/api/v1/kill-switches/self-test", null, Set.of("ADMIN", "SECOPS"), 200),
            new Endpoint(
                    "GET",
                    "/api/v1/rate-limits/tools/no-such-tool",
                    null,
                    Set.of("ADMIN", "SECOPS", "COMPLIANCE"),
                    404),
            new Endpoint("PUT", "/api/v1/rate-limits/tools/no-such-tool", "{}", Set.of("ADMIN"), 400),
            new Endpoint("PUT", "/api/v1/rate-limits/tools/no-such-tool/agents/" + MISSING, "{}", Set.of("ADMIN"), 400),
            new Endpoint(
                    "DELETE", "/api/v1/rate-limits/tools/no-such-tool/agents/" + MISSING, null, Set.of("ADMIN"), 404),
            new Endpoint("GET", "/api/v1/agents/" + MISSING + "/quota", null, PEOPLE, 404),
            new Endpoint("GET", "/api/v1/policy/versions", null, Set.of("ADMIN", "COMPLIANCE"), 200),
            new Endpoint("GET", "/api/v1/policy/versions/current", null, Set.of("ADMIN", "COMPLIANCE"), 200),
            new Endpoint("GET", "/api/v1/policy/versions/999999999", null, Set.of("ADMIN", "COMPLIANCE"), 404),
            new Endpoint("GET", "/api/v1/no-such-endpoint", null, Set.of(), 0),
            new Endpoint("GET", "/gateway/v1/no-such-tool", null, Set.of("AGENT"), 404));

    static final Map<String, Supplier<String>> CALLERS = Map.of(
            "ADMIN", IntegrationTest::admin,
            "OWNER", IntegrationTest::owner,
            "COMPLIANCE", IntegrationTest::compliance,
            "SECOPS", IntegrationTest::secops,
            "AGENT", IntegrationTest::agent);

    @TestFactory
    List<DynamicTest> everyEndpointForEveryCaller() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Endpoint endpoint : ENDPOINTS) {
            tests.add(DynamicTest.dynamicTest(endpoint + " as anonymous -> 401", () -> {
                var response = client.call(endpoint.method(), endpoint.path(), null, endpoint.body());
                assertThat(response.status()).as("%s anonymous", endpoint).isEqualTo(401);
                assertThat(response.contentType()).startsWith("application/problem+json");
                assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
            }));
            for (var caller : CALLERS.entrySet()) {
                boolean admitted = endpoint.allowed().contains(caller.getKey());
                int expected = admitted ? endpoint.admitted() : 403;
                tests.add(DynamicTest.dynamicTest(endpoint + " as " + caller.getKey() + " -> " + expected, () -> {
                    var response = client.call(
                            endpoint.method(),
                            endpoint.path(),
                            caller.getValue().get(),
                            endpoint.body());
                    assertThat(response.status())
                            .as("%s as %s: %s", endpoint, caller.getKey(), response.body())
                            .isEqualTo(expected);
                    if (expected >= 400) {
                        assertThat(response.contentType()).startsWith("application/problem+json");
                    }
                }));
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> aTokenFromAnotherIssuerOrAGarbledOneIsRefused() {
        String token = admin();
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        return List.of(
                DynamicTest.dynamicTest(
                        "tampered signature",
                        () -> assertThat(client.get("/api/v1/agents", tampered).status())
                                .isEqualTo(401)),
                DynamicTest.dynamicTest(
                        "not a JWT",
                        () -> assertThat(client.get("/api/v1/agents", "not-a-token")
                                        .status())
                                .isEqualTo(401)));
    }
}
