/**
 * The policy gateway: authentication of agents' calls, kill switches, the policy decision point
 * (embedded or Open Policy Agent), obligations, rate limits and the audit of every decision.
 *
 * <p>May depend on {@code registry}, {@code audit} and the retrieval port of {@code clinical-agents}.
 * It fails closed.
 *
 * <p>Entry points so far: {@link io.warden.policy.PolicyDecisionPoint} with its input
 * ({@link io.warden.policy.DecisionInput}) and output ({@link io.warden.policy.Decision}); the embedded
 * decision point is the default and an Open Policy Agent client serves production.
 * {@link io.warden.policy.RateLimits} holds the rate limits and call quotas per agent and tool, shared by
 * every instance through PostgreSQL leases. {@link io.warden.policy.PolicyVersions} reads the versions of the
 * policy data ({@link io.warden.policy.PolicyData}) that every decision record names.
 */
@NullMarked
@ApplicationModule(
        displayName = "policy",
        allowedDependencies = {
            "registry",
            "registry :: events",
            "audit",
            "audit :: problem",
            "clinical",
            "clinical :: cohort"
        })
package io.warden.policy;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
