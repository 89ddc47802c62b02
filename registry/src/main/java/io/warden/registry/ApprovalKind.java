package io.warden.registry;

/** What an approval decides: an agent's registration, or a later change to its scopes and tools. */
public enum ApprovalKind {
    REGISTRATION,
    CHANGE
}
