package io.warden.registry.internal.web;

import io.warden.registry.AgentId;
import io.warden.registry.ApprovalId;
import io.warden.registry.RegistryException;
import java.util.UUID;

/** Parses ids from paths; a malformed id names nothing that exists, so it is a 404, not a 500. */
final class Ids {

    private Ids() {}

    static AgentId agent(String text) {
        return new AgentId(uuid(text, "agent"));
    }

    static ApprovalId approval(String text) {
        return new ApprovalId(uuid(text, "approval"));
    }

    static UUID uuid(String text, String what) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new RegistryException.NotFound(what, text);
        }
    }
}
