package io.warden.policy.internal;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;

/**
 * Settings of policy decisions and their enforcement on every instance, under {@code warden.policy}.
 *
 * @param decisionPoint      {@code embedded} (in-process rules, the default) or {@code opa} (an Open Policy Agent server)
 * @param opa                the OPA server, when {@code decision-point} is {@code opa}
 * @param killSwitchReconcile how often each instance re-reads kill switches and policy changes behind notifications
 *                           (the safety net when a notification is lost)
 * @param propagationWait    how long a revoking request waits for every live instance to confirm the change
 * @param instanceName       this instance's name in propagation headers and self-tests; host:port when empty
 * @param selfTest           the scheduled kill-switch self-test
 */
@ConfigurationProperties("warden.policy")
record PolicyProperties(
        @DefaultValue("embedded") DecisionPoint decisionPoint,
        @DefaultValue Opa opa,
        @DefaultValue("PT3S") Duration killSwitchReconcile,
        @DefaultValue("PT0.1S") Duration propagationWait,
        @DefaultValue("") String instanceName,
        @DefaultValue SelfTest selfTest) {

    /** Where gateway decisions are made. */
    enum DecisionPoint {
        EMBEDDED,
        OPA
    }

    /**
     * @param url        the OPA server's base URL
     * @param packageName ({@code package}) the Rego package that decides, as a path ({@code warden/gateway})
     * @param timeout    how long a decision may take before the call is refused (fail closed)
     */
    record Opa(
            @DefaultValue("http://localhost:8181") URI url,
            @Name("package") @DefaultValue("warden/gateway") String packageName,
            @DefaultValue("PT0.2S") Duration timeout) {

        Opa {
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
                throw new IllegalArgumentException(
                        "warden.policy.opa.url must be an http(s) URL, e.g. http://localhost:8181; got " + url);
            }
            if (packageName.isBlank() || packageName.startsWith("/") || packageName.contains("..")) {
                throw new IllegalArgumentException(
                        "warden.policy.opa.package must be a Rego package path such as warden/gateway; got '"
                                + packageName + "'");
            }
            positive("warden.policy.opa.timeout", timeout);
        }
    }

    /**
     * @param bound how long every live instance has to engage the canary switch for the self-test to pass
     * @param every how often the self-test runs on its own
     */
    record SelfTest(
            @DefaultValue("PT0.1S") Duration bound,
            @DefaultValue("P1D") Duration every) {

        // their ranges are the self-test's own to check (PostgresSelfTest)
    }

    PolicyProperties {
        positive("warden.policy.kill-switch-reconcile", killSwitchReconcile);
        // the wait's range (0 to 10 s) is checked where it is used (GatewayInstances)
        instanceName = instanceName.strip();
    }

    static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration; got " + value);
        }
    }
}
