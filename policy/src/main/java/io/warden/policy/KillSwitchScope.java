package io.warden.policy;

/** What a kill switch stops: every call, one agent's, one tool's, or every call that reads one dataset. */
public enum KillSwitchScope {
    GLOBAL,
    AGENT,
    TOOL,
    DATASET
}
