package io.warden.policy.internal.backend;

import java.util.Optional;

/** Reads a secret's value by name for an outbound call (bearer tokens, OAuth client secrets). Never logged. */
@FunctionalInterface
public interface BackendSecrets {

    Optional<String> get(String name);

    static BackendSecrets none() {
        return name -> Optional.empty();
    }
}
