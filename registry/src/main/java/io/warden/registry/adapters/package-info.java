/**
 * The registry's adapters for other modules and the application to wire: Microsoft Graph for people
 * ({@link io.warden.registry.adapters.GraphDirectory}, kept in the local table by
 * {@link io.warden.registry.adapters.MirroredDirectory}) and agents' identities
 * ({@link io.warden.registry.adapters.GraphIdentityProvisioner}), signed in with MSAL4J
 * ({@link io.warden.registry.adapters.MsalAccessTokenProvider}); the file secret store.
 */
@NullMarked
@NamedInterface("adapters")
package io.warden.registry.adapters;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
