package io.warden.registry;

import java.time.Instant;
import java.util.SortedSet;
import org.jspecify.annotations.Nullable;

/**
 * A registered agent as other modules and the API see it: an immutable snapshot at {@link #version()}.
 *
 * @param clientId the OAuth2 client id of the agent's identity (the embedded provider's client, or the
 *                 Entra application's app id); null until an identity is provisioned
 * @param dataScopes keys of the data scopes granted to the agent
 * @param tools      keys of the tools granted to the agent
 * @param purposesOfUse the purposes of use the agent is granted (approved like scopes); a call under any
 *                   other purpose is not the agent's to make
 * @param phiApprovedScopes keys of the scopes a compliance officer approved this agent to read as PHI; a
 *                   scope holding PHI that is not listed here (say, reclassified after it was granted)
 *                   gives no PHI access until a compliance officer approves it for this agent
 * @param demo       true for the demo agents seeded on first start
 */
public record AgentView(
        AgentId id,
        String name,
        AgentKind kind,
        String purpose,
        AgentStatus status,
        String ownerId,
        @Nullable String clientId,
        @Nullable ModelInfo model,
        RiskTier riskTier,
        SortedSet<String> dataScopes,
        SortedSet<String> tools,
        SortedSet<PurposeOfUse> purposesOfUse,
        SortedSet<String> phiApprovedScopes,
        Instant createdAt,
        Instant updatedAt,
        @Nullable Instant approvedAt,
        @Nullable Instant lastActiveAt,
        @Nullable Instant recertifyBy,
        boolean demo,
        long version) {}
