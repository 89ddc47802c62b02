package io.warden.lifecycle.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.IdentityProvisioner;
import io.warden.registry.events.AgentStatusChanged;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.annotation.Async;
import org.springframework.transaction.event.TransactionalEventListener;

/**
 * Keeps an agent's identity in step with its status, whichever path moved it (the API, a lifecycle
 * process, an incident): retired → {@link IdentityProvisioner#remove removed}, suspended →
 * {@link IdentityProvisioner#disable disabled}, reinstated → {@link IdentityProvisioner#enable enabled}. Each
 * change is audited ({@code identity.removed}, {@code identity.disabled}, {@code identity.enabled}, with the
 * client id, never a credential).
 *
 * <p>The status changes arrive through the event publication registry after the registry's transaction
 * commits; a delivery that fails (the identity provider is away) stays registered and is delivered again, so
 * no retirement leaves its identity behind. The provisioner's operations are idempotent and the audit
 * records carry the event as source id, so a repeat does no harm. The listener acts on the agent's status as
 * it reads it now, not on the event's, and reads it again after acting: a suspension and a reinstatement
 * delivered side by side or out of order still leave the identity as the last status says. Until the
 * change lands, the embedded provider's token endpoint refuses any agent that is not ACTIVE by itself, and
 * the gateway refuses its tokens. Not final: the listener is proxied.
 */
class IdentityLifecycle {

    static final AuditActor ACTOR = AuditActor.system("lifecycle-workflows");
    /** A status that changes under us this often is left to the next delivery rather than chased. */
    private static final int MAX_ROUNDS = 5;

    private final AgentQueries agents;
    private final IdentityProvisioner identities;
    private final AuditLog audit;

    public IdentityLifecycle(AgentQueries agents, IdentityProvisioner identities, AuditLog audit) {
        this.agents = agents;
        this.identities = identities;
        this.audit = audit;
    }

    @Async
    @TransactionalEventListener
    void on(AgentStatusChanged event) {
        if (concernsIdentity(event)) {
            follow(event);
        }
    }

    /** Retirement, suspension and reinstatement touch the identity; onboarding's moves do not (it provisions). */
    static boolean concernsIdentity(AgentStatusChanged event) {
        return event.to() == AgentStatus.RETIRED
                || event.to() == AgentStatus.SUSPENDED
                || event.from() == AgentStatus.SUSPENDED && event.to() == AgentStatus.ACTIVE;
    }

    void follow(AgentStatusChanged event) {
        @Nullable AgentStatus applied = null;
        for (int round = 0; round < MAX_ROUNDS; round++) {
            AgentView agent = agents.findAgent(event.agentId()).orElse(null);
            if (agent == null || agent.clientId() == null || agent.status() == applied) {
                return; // no identity to act on, or it already matches the status as it stands
            }
            apply(agent, event);
            applied = agent.status();
        }
        throw new IllegalStateException("The status of agent " + event.agentId()
                + " kept changing while its identity followed it;" + " the event is delivered again");
    }

    private void apply(AgentView agent, AgentStatusChanged event) {
        String action = switch (agent.status()) {
            case RETIRED -> {
                identities.remove(agent);
                yield "identity.removed";
            }
            case SUSPENDED -> {
                identities.disable(agent);
                yield "identity.disabled";
            }
            case ACTIVE -> {
                identities.enable(agent);
                yield "identity.enabled";
            }
            default -> null;
        };
        if (action == null) {
            return;
        }
        audit.append(AuditEvent.builder(
                        action, ACTOR, new AuditTarget("agent", agent.id().toString()))
                .agent(agent.id().toString())
                .owner(agent.ownerId())
                .detail("clientId", agent.clientId())
                .detail("status", agent.status())
                .detail("statusChangedBy", event.actorId())
                .sourceId("identity:" + action + ":" + sha256(event.toString()))
                .build());
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
