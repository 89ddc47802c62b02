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
        Instant createdAt,
        Instant updatedAt,
        @Nullable Instant approvedAt,
        @Nullable Instant lastActiveAt,
        @Nullable Instant recertifyBy,
        boolean demo,
        long version) {
}
