package io.warden.registry;

import java.util.Optional;

/**
 * Where agents' credentials go when Warden issues them, and where the credentials Warden presents to tool backends are kept: never to a log, an audit record or an API answer.
 * The default keeps each in an owner-only file under {@code warden.identity.secrets-dir}; production
 * points this at the hospital's vault.
 */
public interface SecretStore {

    /** Keeps {@code secret} under {@code name}, replacing an earlier one. */
    void put(String name, String secret);

    /**
     * The secret kept under {@code name}, for the outbound calls that present it (an upstream's bearer token or
     * client secret); empty when there is none. Callers hold it only for the call and never log or return it.
     */
    Optional<String> get(String name);

    /** Forgets the secret kept under {@code name}, if any. */
    void delete(String name);
}
