/**
 * The registry's implementation: the {@link io.warden.registry.internal.Agent} and
 * {@link io.warden.registry.internal.Approval} aggregates with their transition rules, the use cases split
 * by role ({@link io.warden.registry.internal.AgentService}, {@link io.warden.registry.internal.ApprovalService},
 * {@link io.warden.registry.internal.CatalogService}, each public method one transaction), the rules they share
 * ({@link io.warden.registry.internal.RegistryRules}), the one write path for agents and approvals that
 * publishes their events after the write ({@link io.warden.registry.internal.AgentMutations}), and the JDBC
 * repositories.
 *
 * <p>Errors are {@link io.warden.registry.RegistryException}s with a stable code; the web package renders them
 * as problem+json.
 */
@NullMarked
package io.warden.registry.internal;

import org.jspecify.annotations.NullMarked;
