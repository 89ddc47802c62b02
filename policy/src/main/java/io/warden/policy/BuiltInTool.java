package io.warden.policy;

import java.util.Objects;

/**
 * A tool that Warden runs itself, outside the tool registry (a cohort build, say), declared as a bean by the module
 * that runs it so that a TOOL kill switch may name it: the module checks {@link KillSwitches#covers} with this key
 * before and while it works.
 *
 * @param key  the key a TOOL kill switch names it by
 * @param name how people see it
 */
public record BuiltInTool(String key, String name) {

    public BuiltInTool {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(name, "name");
        if (!key.matches("[a-z0-9][a-z0-9-]{1,62}")) {
            throw new IllegalArgumentException("a built-in tool's key is a slug like a registered tool's; got " + key);
        }
    }
}
