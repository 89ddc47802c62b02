package io.warden.lifecycle;

import java.util.List;
import java.util.Map;

/** The lifecycle rules as other modules (the portal) read and change them; the same checks as the API. */
public interface LifecycleRuleBook {

    List<LifecycleRule> rules();

    /** @throws WorkflowRefused {@code not-found} for an unknown rule */
    LifecycleRule rule(String key);

    /**
     * Switches a rule and sets its parameters; {@code version} must be the one read.
     *
     * @throws WorkflowRefused {@code invalid-field} naming the bad parameter, {@code stale-version} when the version is stale
     */
    LifecycleRule update(String key, boolean enabled, Map<String, Object> parameters, long version, String actorId);
}
