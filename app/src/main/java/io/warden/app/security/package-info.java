/**
 * Security: the resource server that guards {@code /api/**} and {@code /gateway/**}, the embedded OpenID
 * provider (Spring Authorization Server) that is Warden's default issuer, and the mapping from token
 * claims to a Warden {@link io.warden.registry.Actor}.
 *
 * <p>Claims follow Entra ID's v2 access tokens, so that pointing the issuer at Entra is configuration
 * only: people are identified by {@code oid} and carry Warden roles in {@code roles} and delegated scopes
 * in {@code scp}; agents (app-only tokens, {@code idtyp=app} or no {@code scp}) are identified by
 * {@code azp} (v2) or {@code appid} (v1) and never hold person roles.
 */
@NullMarked
package io.warden.app.security;

import org.jspecify.annotations.NullMarked;
