/**
 * The registry's implementation: the {@link io.warden.registry.internal.Agent} and
 * {@link io.warden.registry.internal.Approval} aggregates with their transition rules, the use cases in
 * {@link io.warden.registry.internal.RegistryService} (each one transaction), and their JDBC repositories.
 *
 * <p>Errors are {@link io.warden.registry.internal.RegistryException}s with a stable code; the web package
 * renders them as problem+json.
 */
@NullMarked
package io.warden.registry.internal;

import org.jspecify.annotations.NullMarked;
