/**
 * The agent registry: every clinical AI agent with its human owner, identity, data scopes and tools,
 * its status machine and the approvals that change what it may touch.
 *
 * <p>Entry points for other modules, a port per role: {@link io.warden.registry.Agents},
 * {@link io.warden.registry.Approvals} and {@link io.warden.registry.Catalog} to change things,
 * {@link io.warden.registry.AgentQueries}, {@link io.warden.registry.ApprovalQueries} and
 * {@link io.warden.registry.CatalogQueries} to read them, {@link io.warden.registry.AgentActivity} to record
 * that agents were used, {@link io.warden.registry.Directory} to look people up,
 * {@link io.warden.registry.Entitlements} for what a person may read (from their directory groups through the
 * {@link io.warden.registry.GroupEntitlements} admins keep), and the past-tense events of
 * {@link io.warden.registry.events} that every state change publishes in the same transaction (through Spring
 * Modulith's event publication registry, so a listener never misses one).
 * People and agents reach the registry as an {@link io.warden.registry.Actor}, resolved at the web edge.
 *
 * <p>Everything under {@code internal} is private to this module.
 */
@NullMarked
@ApplicationModule(
        displayName = "registry",
        allowedDependencies = {"audit", "audit :: problem"})
package io.warden.registry;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
