package io.warden.policy.internal.backend;

import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/** Tool views for the backend clients' tests. */
final class Tools {

    private Tools() {}

    static ToolView tool(String key, ToolBackend target, String inputSchema) {
        return new ToolView(
                key,
                key,
                "",
                target.kind().name().toLowerCase(Locale.ROOT),
                new TreeSet<>(),
                10,
                SensitivityLabel.values()[0],
                false,
                1,
                target,
                inputSchema,
                new TreeSet<>(),
                false);
    }

    /** Tests run their upstreams on this machine, so they allowlist loopback hosts with allowPrivate. */
    static EgressGuard localGuard() {
        return new EgressGuard(host -> host.equals("localhost") || host.equals("127.0.0.1")
                ? Optional.of(new EgressPolicy.Entry(host, true))
                : Optional.empty());
    }
}
