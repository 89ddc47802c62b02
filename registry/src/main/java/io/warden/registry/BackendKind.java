package io.warden.registry;

/** The kinds of {@link ToolBackend}. */
public enum BackendKind {
    BUILTIN,
    MCP,
    HTTP
}
