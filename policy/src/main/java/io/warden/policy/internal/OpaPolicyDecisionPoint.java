package io.warden.policy.internal;

import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.policy.ReasonCodes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Decisions from an Open Policy Agent server through its Data API: {@code POST /v1/data/<package path>/decision}
 * with {@code {"input": ...}} and {@code ?provenance=true}, keeping the decision id OPA returns when its decision
 * logs are on and the revision of each bundle it decided with ({@code provenance.bundles.<name>.revision}), so a
 * decision record names the policy it was made on. Connect and read deadlines are enforced; a timeout, an error status, a body that is not
 * JSON, an undefined result or one that is not a complete decision is a deny with
 * {@link ReasonCodes#DECISION_UNAVAILABLE}. Thread-safe.
 */
public final class OpaPolicyDecisionPoint implements PolicyDecisionPoint {

    private static final Logger log = LoggerFactory.getLogger(OpaPolicyDecisionPoint.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final URI decisionUri;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param server      OPA's base URL, e.g. {@code http://localhost:8181} (a sidecar)
     * @param packagePath the policy package as a path, e.g. {@code warden/gateway}
     * @param timeout     connect and read deadline for one decision
     */
    public OpaPolicyDecisionPoint(URI server, String packagePath, Duration timeout) {
        this.decisionUri = server.resolve("/v1/data/" + packagePath + "/decision?provenance=true");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Decision decide(DecisionInput input) {
        try {
            String body = JSON.writeValueAsString(Map.of("input", DecisionJson.input(input)));
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(decisionUri)
                            .timeout(timeout)
                            .header("Content-Type", "application/json")
                            .header("Accept", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return unavailable("OPA answered " + response.statusCode());
            }
            JsonNode answer = JSON.readTree(response.body());
            JsonNode result = answer.get("result");
            if (result == null || result.isNull()) {
                return unavailable("OPA's result is undefined (is the bundle loaded?)");
            }
            if (result.path("policyVersion").asInt(-1) != DecisionJson.POLICY_VERSION) {
                // a sidecar still serving an older bundle would ignore rules this gateway relies on: refuse its answers
                return unavailable(
                        "OPA's bundle is policy version " + result.path("policyVersion") + "; this gateway needs "
                                + DecisionJson.POLICY_VERSION + " (deploy policy/rego of this release)");
            }
            JsonNode decisionId = answer.get("decision_id");
            Decision decision = DecisionJson.decision(result, decisionId == null ? null : decisionId.asString());
            String revision = revision(answer.path("provenance"));
            return revision == null
                    ? decision
                    : new Decision(
                            decision.allow(),
                            decision.reasons(),
                            decision.obligations(),
                            decision.decisionId(),
                            revision);
        } catch (IOException e) {
            return unavailable("OPA could not be reached or did not answer within " + timeout + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return unavailable("interrupted while asking OPA");
        } catch (RuntimeException e) {
            return unavailable("OPA's answer is not a decision: " + e.getMessage());
        }
    }

    @Override
    public String engine() {
        return "opa";
    }

    /**
     * The bundle revisions OPA reported: one bundle's revision as it is, several as {@code name=revision} pairs in
     * name order; OPA's older single {@code provenance.revision} when no bundle is named; null when there is none.
     */
    static @Nullable String revision(JsonNode provenance) {
        Map<String, String> revisions = new TreeMap<>();
        provenance.path("bundles").properties().forEach(bundle -> {
            JsonNode revision = bundle.getValue().path("revision");
            if (revision.isString() && !revision.asString().isEmpty()) {
                revisions.put(bundle.getKey(), revision.asString());
            }
        });
        if (revisions.size() == 1) {
            return revisions.values().iterator().next();
        }
        if (!revisions.isEmpty()) {
            StringJoiner joined = new StringJoiner(",");
            revisions.forEach((name, revision) -> joined.add(name + "=" + revision));
            return joined.toString();
        }
        JsonNode single = provenance.path("revision");
        return single.isString() && !single.asString().isEmpty() ? single.asString() : null;
    }

    private static Decision unavailable(String why) {
        log.warn("Denying: no policy decision ({})", why);
        return new Decision(false, List.of(ReasonCodes.DECISION_UNAVAILABLE), Decision.Obligations.none(), null);
    }
}
