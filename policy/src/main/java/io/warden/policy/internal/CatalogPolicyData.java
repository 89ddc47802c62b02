package io.warden.policy.internal;

import io.warden.policy.PolicyData;
import io.warden.registry.CatalogQueries;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The current policy data read from the registry's data scopes and tools, as the gateway reads them for each call,
 * numbered with the policy change counter ({@code policy_version}) that every committed change to them advances.
 */
final class CatalogPolicyData implements CurrentPolicyData {

    private final CatalogQueries catalog;
    private final JdbcClient jdbc;
    private final Clock clock;

    CatalogPolicyData(CatalogQueries catalog, JdbcClient jdbc, Clock clock) {
        this.catalog = catalog;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public PolicyData current() {
        long version =
                jdbc.sql("select n from policy_version").query(Long.class).single();
        Map<String, PolicyData.ScopeRules> scopes = new HashMap<>();
        for (var scope : catalog.dataScopes()) {
            scopes.put(
                    scope.key(),
                    new PolicyData.ScopeRules(
                            scope.sensitivity(),
                            scope.phi(),
                            scope.deidentified(),
                            scope.allowedPurposes(),
                            scope.deidentifyFor(),
                            scope.approvalRequired()));
        }
        Map<String, PolicyData.ToolRules> tools = new HashMap<>();
        for (var tool : catalog.tools()) {
            tools.put(
                    tool.key(),
                    new PolicyData.ToolRules(
                            tool.maxK(), tool.requiredScopes(), tool.sensitivity(), tool.approvalRequired()));
        }
        return new PolicyData(version, clock.instant(), scopes, tools);
    }
}
