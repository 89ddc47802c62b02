/**
 * The policy gateway: authentication of agents' calls, kill switches, the policy decision point
 * (embedded or Open Policy Agent), obligations, rate limits and the audit of every decision.
 *
 * <p>May depend on {@code registry}, {@code audit} and the retrieval port of {@code clinical-agents}.
 * It fails closed. Nothing is implemented yet.
 */
@NullMarked
@ApplicationModule(displayName = "policy", allowedDependencies = {"registry", "audit", "clinical"})
package io.warden.policy;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
