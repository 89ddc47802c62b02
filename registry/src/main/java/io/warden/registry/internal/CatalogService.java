package io.warden.registry.internal;

import io.warden.registry.Actor;
import io.warden.registry.Catalog;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Commands;
import io.warden.registry.DataScopeView;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolView;
import io.warden.registry.events.DataScopeSaved;
import io.warden.registry.events.ToolSaved;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The catalogue use cases and reads: data scopes and tools. Each change is one transaction that writes
 * the entry (optimistic locking on its version) and only then publishes its saved event, or writes nothing.
 * Catalogue entries are rows, not aggregates with recorded events, so they do not go through
 * {@link AgentMutations}; a data scope reclassified as PHI or highly confidential sends the approvals still
 * waiting for it to compliance.
 */
@Service
@Transactional
class CatalogService implements Catalog, CatalogQueries {

    private final CatalogRepository catalog;
    private final ApprovalRepository approvals;
    private final ToolBackendRules backends;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    CatalogService(
            CatalogRepository catalog,
            ApprovalRepository approvals,
            ToolBackendRules backends,
            ApplicationEventPublisher events,
            Clock clock) {
        this.catalog = catalog;
        this.approvals = approvals;
        this.backends = backends;
        this.events = events;
        this.clock = clock;
    }

    @Override
    public DataScopeView createDataScope(String key, Commands.SaveDataScope scope, boolean demo, Actor actor) {
        requireConsistent(scope);
        Instant now = clock.instant();
        catalog.insertScope(key, scope, demo, now);
        events.publishEvent(new DataScopeSaved(
                key,
                scope.sensitivity(),
                scope.phi(),
                scope.allowedPurposes(),
                scope.deidentifyFor(),
                1,
                actor.id(),
                now,
                scope.approvalRequired()));
        return dataScope(key);
    }

    @Override
    public DataScopeView updateDataScope(String key, Commands.SaveDataScope scope, long version, Actor actor) {
        requireConsistent(scope);
        Instant now = clock.instant();
        long newVersion = catalog.updateScope(key, scope, version, now);
        if (scope.phi() || scope.sensitivity() == SensitivityLabel.HIGHLY_CONFIDENTIAL) {
            approvals.requireComplianceForPending(key, scope.phi());
        }
        events.publishEvent(new DataScopeSaved(
                key,
                scope.sensitivity(),
                scope.phi(),
                scope.allowedPurposes(),
                scope.deidentifyFor(),
                newVersion,
                actor.id(),
                now,
                scope.approvalRequired()));
        return dataScope(key);
    }

    @Override
    public ToolView createTool(String key, Commands.SaveTool tool, boolean demo, Actor actor) {
        backends.check(tool);
        Instant now = clock.instant();
        catalog.insertTool(key, tool, demo, now);
        events.publishEvent(saved(key, tool, 1, actor, now));
        return tool(key);
    }

    @Override
    public ToolView updateTool(String key, Commands.SaveTool tool, long version, Actor actor) {
        backends.check(tool);
        Instant now = clock.instant();
        long newVersion = catalog.updateTool(key, tool, version, now);
        events.publishEvent(saved(key, tool, newVersion, actor, now));
        return tool(key);
    }

    // ---- reads --------------------------------------------------------------------------------------

    @Transactional(readOnly = true)
    @Override
    public DataScopeView dataScope(String key) {
        return catalog.findScope(key).orElseThrow(() -> new RegistryException.NotFound("data-scope", key));
    }

    @Transactional(readOnly = true)
    @Override
    public List<DataScopeView> dataScopes() {
        return catalog.allScopes();
    }

    @Transactional(readOnly = true)
    @Override
    public ToolView tool(String key) {
        return catalog.findTool(key).orElseThrow(() -> new RegistryException.NotFound("tool", key));
    }

    @Transactional(readOnly = true)
    @Override
    public List<ToolView> tools() {
        return catalog.allTools();
    }

    private static ToolSaved saved(String key, Commands.SaveTool tool, long version, Actor actor, Instant now) {
        return new ToolSaved(
                key,
                tool.maxK(),
                version,
                actor.id(),
                now,
                ToolBackendRules.describe(tool.target()),
                tool.dataScopes(),
                tool.storePayloads(),
                tool.approvalRequired());
    }

    private static void requireConsistent(Commands.SaveDataScope scope) {
        if (scope.phi() && scope.deidentified()) {
            throw new RegistryException.InvalidField(
                    "deidentified", "A data scope cannot hold PHI and be de-identified");
        }
        if (scope.allowedPurposes().isEmpty()) {
            throw new RegistryException.InvalidField(
                    "allowedPurposes", "A data scope needs at least one allowed purpose of use");
        }
        for (PurposeOfUse purpose : scope.deidentifyFor()) {
            if (!scope.allowedPurposes().contains(purpose)) {
                throw new RegistryException.InvalidField(
                        "deidentifyFor",
                        "deidentifyFor names " + purpose + ", which is not one of the scope's allowed purposes");
            }
        }
    }
}
