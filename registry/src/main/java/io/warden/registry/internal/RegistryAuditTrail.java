package io.warden.registry.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.registry.McpServerView;
import io.warden.registry.McpServerView.UpstreamAuth;
import io.warden.registry.events.AgentGrantsChanged;
import io.warden.registry.events.AgentIdentityAssigned;
import io.warden.registry.events.AgentOwnerChanged;
import io.warden.registry.events.AgentPhiApproved;
import io.warden.registry.events.AgentRecertified;
import io.warden.registry.events.AgentRegistered;
import io.warden.registry.events.AgentStatusChanged;
import io.warden.registry.events.AgentUpdated;
import io.warden.registry.events.ApprovalDecided;
import io.warden.registry.events.ApprovalRequested;
import io.warden.registry.events.DataScopeSaved;
import io.warden.registry.events.DataSourceChanged;
import io.warden.registry.events.EgressHostChanged;
import io.warden.registry.events.McpServerChanged;
import io.warden.registry.events.ToolSaved;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * Records every registry change in the audit trail. The events arrive through Spring Modulith's event
 * publication registry: a delivery that fails (the audit log cannot write) stays registered and is
 * delivered again, and the source id derived from the event keeps a redelivery from being recorded twice.
 */
@Component
class RegistryAuditTrail {

    private final AuditLog audit;

    RegistryAuditTrail(AuditLog audit) {
        this.audit = audit;
    }

    @ApplicationModuleListener
    void on(AgentRegistered event) {
        record(
                AuditEvent.builder("agent.registered", actor(event.actorId()), agent(event.agentId()))
                        .agent(event.agentId().toString())
                        .owner(event.ownerId())
                        .detail("kind", event.kind())
                        .detail("name", event.name()),
                event,
                "requestedScopes",
                event.requestedScopes(),
                "requestedTools",
                event.requestedTools(),
                "requestedPurposes",
                event.requestedPurposes());
    }

    @ApplicationModuleListener
    void on(AgentStatusChanged event) {
        var builder = AuditEvent.builder("agent.status_changed", actor(event.actorId()), agent(event.agentId()))
                .agent(event.agentId().toString())
                .detail("from", event.from())
                .detail("to", event.to());
        text(builder, "reason", event.reason());
        record(builder, event);
    }

    @ApplicationModuleListener
    void on(AgentUpdated event) {
        record(
                AuditEvent.builder("agent.updated", actor(event.actorId()), agent(event.agentId()))
                        .agent(event.agentId().toString())
                        .detail("version", event.version()),
                event);
    }

    @ApplicationModuleListener
    void on(AgentOwnerChanged event) {
        var builder = AuditEvent.builder("agent.owner_changed", actor(event.actorId()), agent(event.agentId()))
                .agent(event.agentId().toString())
                .owner(event.newOwnerId())
                .detail("previousOwner", event.previousOwnerId())
                .detail("newOwner", event.newOwnerId());
        text(builder, "reason", event.reason());
        record(builder, event);
    }

    @ApplicationModuleListener
    void on(AgentGrantsChanged event) {
        record(
                AuditEvent.builder("agent.grants_changed", actor(event.actorId()), agent(event.agentId()))
                        .agent(event.agentId().toString())
                        .detail("approval", event.approvalId())
                        .detail("riskTier", event.riskTier()),
                event,
                "dataScopes",
                event.dataScopes(),
                "tools",
                event.tools(),
                "purposesOfUse",
                event.purposesOfUse(),
                "phiApprovedScopes",
                event.phiApprovedScopes());
    }

    @ApplicationModuleListener
    void on(AgentPhiApproved event) {
        record(
                AuditEvent.builder("agent.phi_approved", actor(event.approvedBy()), agent(event.agentId()))
                        .agent(event.agentId().toString())
                        .detail("approval", event.approvalId()),
                event,
                "scopes",
                event.scopes());
    }

    @ApplicationModuleListener
    void on(ApprovalRequested event) {
        record(
                AuditEvent.builder(
                                "approval.requested",
                                actor(event.actorId()),
                                new AuditTarget("approval", event.approvalId().toString()))
                        .agent(event.agentId().toString())
                        .detail("kind", event.kind())
                        .detail("requiresCompliance", event.requiresCompliance()),
                event);
    }

    @ApplicationModuleListener
    void on(ApprovalDecided event) {
        var builder = AuditEvent.builder(
                        "approval.decided",
                        actor(event.actorId()),
                        new AuditTarget("approval", event.approvalId().toString()))
                .agent(event.agentId().toString())
                .detail("kind", event.kind())
                .detail("decision", event.decision());
        text(builder, "reason", event.reason());
        record(builder, event);
    }

    @ApplicationModuleListener
    void on(DataScopeSaved event) {
        record(
                AuditEvent.builder(
                                "data_scope.saved", actor(event.actorId()), new AuditTarget("data-scope", event.key()))
                        .dataset(event.key())
                        .detail("sensitivity", event.sensitivity())
                        .detail("phi", event.phi())
                        .detail("approvalRequired", event.approvalRequired())
                        .detail("version", event.version()),
                event,
                "allowedPurposes",
                event.allowedPurposes(),
                "deidentifyFor",
                event.deidentifyFor());
    }

    @ApplicationModuleListener
    void on(ToolSaved event) {
        record(
                AuditEvent.builder("tool.saved", actor(event.actorId()), new AuditTarget("tool", event.key()))
                        .tool(event.key())
                        .detail("maxK", event.maxK())
                        .detail("version", event.version())
                        .detail("storePayloads", event.storePayloads())
                        .detail("approvalRequired", event.approvalRequired()),
                event,
                "target",
                List.of(event.target()),
                "dataScopes",
                event.dataScopes());
    }

    /** Names of secrets go in, never their values (the registry never holds those). */
    @ApplicationModuleListener
    void on(McpServerChanged event) {
        String action = event.before() == null
                ? "mcp_server.registered"
                : event.after() == null ? "mcp_server.removed" : "mcp_server.changed";
        var builder = AuditEvent.builder(action, actor(event.actorId()), new AuditTarget("mcp-server", event.key()));
        McpServerView before = event.before();
        McpServerView after = event.after();
        if (before != null) {
            text(builder, "before", describe(before));
        }
        if (after != null) {
            text(builder, "after", describe(after));
            builder.detail("version", after.version());
        }
        record(builder, event);
    }

    @ApplicationModuleListener
    void on(EgressHostChanged event) {
        var builder = AuditEvent.builder(
                        event.added() ? "egress_host.added" : "egress_host.removed",
                        actor(event.actorId()),
                        new AuditTarget("egress-host", event.entry().host()))
                .detail("allowPrivate", event.entry().allowPrivate());
        text(builder, "reason", event.entry().reason());
        record(builder, event);
    }

    private static String describe(McpServerView server) {
        UpstreamAuth auth = server.auth();
        StringBuilder text = new StringBuilder()
                .append("url=")
                .append(server.url())
                .append(" auth=")
                .append(auth.kind())
                .append(" phiApproved=")
                .append(server.phiApproved());
        if (auth.secret() != null) {
            text.append(" secretName=").append(auth.secret());
        }
        if (auth.tokenUrl() != null) {
            text.append(" tokenUrl=").append(auth.tokenUrl());
        }
        if (auth.clientId() != null) {
            text.append(" clientId=").append(auth.clientId());
        }
        return text.toString();
    }

    @ApplicationModuleListener
    void on(DataSourceChanged event) {
        String action = event.before() == null
                ? "data_source.registered"
                : event.after() == null ? "data_source.removed" : "data_source.changed";
        var builder = AuditEvent.builder(action, actor(event.actorId()), new AuditTarget("data-source", event.key()));
        var scope = event.after() != null ? event.after() : event.before();
        if (scope != null) {
            builder.dataset(scope.scopeKey());
        }
        String before = PostgresDataSources.describe(event.before());
        String after = PostgresDataSources.describe(event.after());
        if (before != null) {
            text(builder, "before", before);
        }
        if (after != null) {
            text(builder, "after", after);
        }
        record(builder, event);
    }

    private void record(AuditEvent.Builder builder, Object event, Object... sets) {
        for (int i = 0; i < sets.length; i += 2) {
            text(
                    builder,
                    (String) sets[i],
                    String.join(
                            ",",
                            ((Collection<?>) sets[i + 1])
                                    .stream().map(String::valueOf).toList()));
        }
        audit.append(builder.sourceId("registry:" + sha256(event.getClass().getSimpleName() + event))
                .build());
    }

    /** Free text and long lists go in as a digest when they are too long for the trail. */
    private static void text(AuditEvent.Builder builder, String key, String value) {
        if (value.length() <= 256) {
            builder.detail(key, value);
        } else {
            builder.detail(key + "Sha256", sha256(value));
        }
    }

    @ApplicationModuleListener
    void on(AgentRecertified event) {
        record(
                AuditEvent.builder("agent.recertified", actor(event.actorId()), agent(event.agentId()))
                        .agent(event.agentId().toString())
                        .detail("recertifyBy", event.recertifyBy()),
                event);
    }

    @ApplicationModuleListener
    void on(AgentIdentityAssigned event) {
        record(
                AuditEvent.builder("agent.identity_assigned", actor(event.actorId()), agent(event.agentId()))
                        .agent(event.agentId().toString())
                        .detail("clientId", event.clientId()),
                event);
    }

    /** People act under their directory id; Warden's own components under {@code system:<component>}. */
    private static AuditActor actor(String id) {
        return id.startsWith("system:") ? AuditActor.system(id.substring("system:".length())) : AuditActor.person(id);
    }

    private static AuditTarget agent(Object id) {
        return new AuditTarget("agent", id.toString());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
