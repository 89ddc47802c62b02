package io.warden.registry;

/** What an agent proves itself with: a client secret, or a certificate whose key signs a client assertion. */
public enum CredentialKind {
    SECRET,
    CERTIFICATE
}
