package io.warden.registry.events;

import io.warden.registry.AgentId;
import io.warden.registry.ApprovalId;
import java.time.Instant;
import java.util.SortedSet;

/**
 * A compliance officer approved an agent to read these data scopes as PHI, by deciding {@code approvalId}.
 * Recorded per agent and scope, so that reclassifying a scope as PHI later never grants PHI by itself.
 */
public record AgentPhiApproved(
        AgentId agentId, ApprovalId approvalId, SortedSet<String> scopes, String approvedBy, Instant at) {}
