package io.warden.registry;

/**
 * Where agents' credentials go when Warden issues them: never to a log, an audit record or an API answer.
 * The default keeps each in an owner-only file under {@code warden.identity.secrets-dir}; production
 * points this at the hospital's vault.
 */
public interface SecretStore {

    /** Keeps {@code secret} under {@code name}, replacing an earlier one. */
    void put(String name, String secret);

    /** Forgets the secret kept under {@code name}, if any. */
    void delete(String name);
}
