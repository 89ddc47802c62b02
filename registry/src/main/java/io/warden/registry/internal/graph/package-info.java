/**
 * The registry's Microsoft Graph adapters: people from Entra ID ({@link io.warden.registry.internal.graph.GraphDirectory})
 * and agents' identities as Entra applications ({@link io.warden.registry.internal.graph.GraphIdentityProvisioner}),
 * signed in with MSAL4J ({@link io.warden.registry.internal.graph.MsalAccessTokenProvider}).
 */
@NullMarked
package io.warden.registry.internal.graph;

import org.jspecify.annotations.NullMarked;
