package io.warden.registry.events;

import java.time.Instant;

/**
 * A person's account in the local directory was enabled or disabled through the API. The change is committed
 * when this is published (the directory writes outside a registry transaction); an owner disabled here makes every
 * agent they own refused by the gateway (OWNER_INACTIVE).
 */
public record DirectoryAccountChanged(String personId, boolean enabled, String actorId, Instant at) {}
