package io.warden.registry;

/** A group of the directory: an Entra ID security or Microsoft 365 group, or a local one. */
public record DirectoryGroup(String id, String displayName) {}
