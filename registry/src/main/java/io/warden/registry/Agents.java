package io.warden.registry;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The agent use cases: registration and the agent's life from draft to retirement. Each method is one
 * transaction: it applies the rules and publishes its past-tense events, or fails with a
 * {@link RegistryException} and changes nothing. Read agents through {@link AgentQueries}; record their use
 * through {@link AgentActivity}.
 *
 * <p>Endpoint role rules are the caller's; the rules that depend on data are enforced here: an OWNER acts
 * only on agents they own. Thread-safe.
 */
public interface Agents {

    /** The result of a registration: the agent, and whether an earlier identical request created it. */
    record Registration(AgentView agent, boolean replayed) {}

    /**
     * Registers an agent in DRAFT (and, with {@code submit}, moves it on to PENDING_APPROVAL with a
     * registration approval). With an idempotency key, a repeat of the same request returns the agent the
     * first one created; a different request under the same key fails with
     * {@link RegistryException.IdempotencyKeyReused}.
     */
    Registration register(Commands.RegisterAgent command, @Nullable String idempotencyKey, Actor actor);

    /** As {@link #register(Commands.RegisterAgent, String, Actor)}, for an agent whose identity already exists. */
    Registration register(
            Commands.RegisterAgent command,
            @Nullable String idempotencyKey,
            Actor actor,
            @Nullable String clientId,
            boolean demo);

    AgentView submit(AgentId id, Actor actor);

    AgentView update(AgentId id, Commands.UpdateAgent update, Actor actor);

    AgentView changeOwner(AgentId id, String newOwnerId, String reason, Actor actor);

    AgentView suspend(AgentId id, String reason, Actor actor);

    AgentView reinstate(AgentId id, String reason, Actor actor);

    /** Retires the agent for good; an approval still waiting for it is withdrawn. */
    AgentView retire(AgentId id, String reason, Actor actor);

    /**
     * Activates an agent whose registration was approved, with the approved grants (the onboarding
     * process, once the identity is provisioned). Idempotent for an ACTIVE agent.
     */
    AgentView activate(AgentId id, Actor actor);

    /** Records the owner's attestation: the next recertification is due one period from now. */
    AgentView recertify(AgentId id, Actor actor);

    /** Records the owner's attestation: the next recertification is due {@code period} from now. */
    AgentView recertify(AgentId id, Duration period, Actor actor);

    /** Records the identity (OAuth2 client id) provisioned for the agent; idempotent for the same one. */
    AgentView assignIdentity(AgentId id, String clientId, Actor actor);
}
