package io.warden.audit;

import org.jspecify.annotations.Nullable;

/**
 * Names for the ids a record stores, for the exports people read: an export writes them in columns of their own,
 * beside the signed record and never inside it, so a verifier ignores them and a name changed in the directory
 * after the fact changes no hash. Implementations answer null for an id they do not know, and may throw when their
 * source is down (the export then carries no name rather than failing). Thread-safe.
 */
public interface AuditNames {

    /** The display name of the person with this directory id; null when unknown. */
    @Nullable
    String person(String id);

    /** The name of the agent with this agent id or OAuth2 client id; null when unknown. */
    @Nullable
    String agent(String id);

    /** No names: exports carry empty name columns. */
    static AuditNames none() {
        return new AuditNames() {
            @Override
            public @Nullable String person(String id) {
                return null;
            }

            @Override
            public @Nullable String agent(String id) {
                return null;
            }
        };
    }
}
