package io.warden.app;

import io.warden.policy.KillSwitch;
import io.warden.policy.KillSwitches;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health/killSwitches}: UP, with the number of active switches and, as a detail operators
 * must act on, every active switch whose target names no agent, tool or data scope (stored before targets were
 * resolved). Those are still enforced on the string they name; the detail says to replace them.
 */
@Component("killSwitchesHealthIndicator")
class KillSwitchHealth extends AbstractHealthIndicator {

    private final KillSwitches killSwitches;

    KillSwitchHealth(KillSwitches killSwitches) {
        this.killSwitches = killSwitches;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        List<KillSwitch> unresolved = killSwitches.unresolved();
        builder.up().withDetail("active", killSwitches.active().size());
        if (!unresolved.isEmpty()) {
            builder.withDetail(
                    "unresolved",
                    unresolved.stream()
                            .map(each -> Map.of(
                                    "id",
                                    each.id().toString(),
                                    "scope",
                                    each.scope().name(),
                                    "target",
                                    each.target()))
                            .toList());
            builder.withDetail(
                    "action", "Release each unresolved switch and engage it again by a real agent, tool or data scope");
        }
    }
}
