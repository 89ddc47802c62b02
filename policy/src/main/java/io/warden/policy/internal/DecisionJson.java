package io.warden.policy.internal;

import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.registry.AgentStatus;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The JSON form of decision inputs and results: OPA's {@code input} and {@code result}, and the decision
 * vectors both decision points are tested with. Field names are stable within a version; this is version 2
 * (version 1 had no granted purposes, no tool scopes or sensitivity, and a de-identification flag instead of the
 * purposes that require it). A decision whose obligations carry a field this gateway does not know is refused:
 * the gateway never accepts an obligation it cannot enforce.
 */
final class DecisionJson {

    /** The version of the policy and its input this gateway speaks; OPA's bundle names it in every decision. */
    public static final int POLICY_VERSION = 2;

    /** The obligations this gateway enforces; a decision with any other is not accepted. */
    private static final Set<String> KNOWN_OBLIGATIONS =
            Set.of("maxK", "datasets", "redactFields", "deidentificationRequired");

    private DecisionJson() {}

    public static Map<String, Object> input(DecisionInput input) {
        var agent = input.agent();
        var dataset = input.dataset();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put(
                "agent",
                Map.of(
                        "id",
                        agent.id(),
                        "status",
                        agent.status().name(),
                        "ownerActive",
                        agent.ownerActive(),
                        "scopes",
                        new TreeSet<>(agent.scopes()),
                        "tools",
                        new TreeSet<>(agent.tools()),
                        "purposes",
                        names(agent.purposes()),
                        "clearance",
                        agent.clearance().name(),
                        "phiApproved",
                        agent.phiApproved()));
        json.put(
                "tool",
                Map.of(
                        "key",
                        input.tool().key(),
                        "maxK",
                        input.tool().maxK(),
                        "requiredScopes",
                        new TreeSet<>(input.tool().requiredScopes()),
                        "sensitivity",
                        input.tool().sensitivity().name()));
        json.put(
                "dataset",
                Map.of(
                        "key",
                        dataset.key(),
                        "sensitivity",
                        dataset.sensitivity().name(),
                        "phi",
                        dataset.phi(),
                        "deidentified",
                        dataset.deidentified(),
                        "allowedPurposes",
                        names(dataset.allowedPurposes()),
                        "deidentifyFor",
                        names(dataset.deidentifyFor())));
        json.put(
                "purposeOfUse",
                input.purposeOfUse() == null ? null : input.purposeOfUse().name());
        json.put("request", Map.of("k", input.request().k()));
        var switches = input.killSwitches();
        json.put(
                "killSwitches",
                Map.of(
                        "global",
                        switches.global(),
                        "agent",
                        switches.agent(),
                        "tool",
                        switches.tool(),
                        "dataset",
                        switches.dataset()));
        json.put("time", input.time().toString());
        return json;
    }

    private static List<String> names(Collection<PurposeOfUse> purposes) {
        return purposes.stream().map(Enum::name).sorted().toList();
    }

    private static TreeSet<PurposeOfUse> purposes(JsonNode array) {
        var purposes = new TreeSet<PurposeOfUse>();
        strings(array).forEach(p -> purposes.add(PurposeOfUse.valueOf(p)));
        return purposes;
    }

    public static DecisionInput input(JsonNode json) {
        JsonNode agent = json.get("agent");
        JsonNode tool = json.get("tool");
        JsonNode dataset = json.get("dataset");
        JsonNode switches = json.get("killSwitches");
        JsonNode purpose = json.get("purposeOfUse");
        return new DecisionInput(
                new DecisionInput.Agent(
                        agent.get("id").asString(),
                        AgentStatus.valueOf(agent.get("status").asString()),
                        agent.get("ownerActive").asBoolean(),
                        strings(agent.get("scopes")),
                        strings(agent.get("tools")),
                        purposes(agent.get("purposes")),
                        SensitivityLabel.valueOf(agent.get("clearance").asString()),
                        agent.get("phiApproved").asBoolean()),
                new DecisionInput.Tool(
                        tool.get("key").asString(),
                        tool.get("maxK").asInt(),
                        strings(tool.get("requiredScopes")),
                        SensitivityLabel.valueOf(tool.get("sensitivity").asString())),
                new DecisionInput.Dataset(
                        dataset.get("key").asString(),
                        SensitivityLabel.valueOf(dataset.get("sensitivity").asString()),
                        dataset.get("phi").asBoolean(),
                        dataset.get("deidentified").asBoolean(),
                        purposes(dataset.get("allowedPurposes")),
                        purposes(dataset.get("deidentifyFor"))),
                purpose == null || purpose.isNull() ? null : PurposeOfUse.valueOf(purpose.asString()),
                new DecisionInput.Request(json.get("request").get("k").asInt()),
                new DecisionInput.KillSwitches(
                        switches.get("global").asBoolean(),
                        switches.get("agent").asBoolean(),
                        switches.get("tool").asBoolean(),
                        switches.get("dataset").asBoolean()),
                Instant.parse(json.get("time").asString()));
    }

    /**
     * A decision from its JSON form ({@code allow}, {@code reasons}, {@code obligations}).
     *
     * @throws IllegalArgumentException when it is not a complete decision: the caller must then deny
     */
    public static Decision decision(@Nullable JsonNode json, @Nullable String decisionId) {
        if (json == null
                || !json.isObject()
                || !json.path("allow").isBoolean()
                || !json.path("reasons").isArray()) {
            throw new IllegalArgumentException("not a decision: " + json);
        }
        boolean allow = json.get("allow").asBoolean();
        List<String> reasons = new ArrayList<>();
        json.get("reasons").forEach(reason -> reasons.add(reason.asString()));
        if (!allow && reasons.isEmpty()) {
            throw new IllegalArgumentException("a deny without reasons");
        }
        JsonNode obligations = json.path("obligations");
        if (allow
                && (!obligations.isObject()
                        || !obligations.path("maxK").isInt()
                        || obligations.path("maxK").asInt() < 1)) {
            throw new IllegalArgumentException("an allow without usable obligations");
        }
        if (allow) {
            for (String field : obligations.propertyNames()) {
                if (!KNOWN_OBLIGATIONS.contains(field)) {
                    throw new IllegalArgumentException("an obligation this gateway cannot enforce: " + field);
                }
            }
            if (!obligations.path("deidentificationRequired").isMissingNode()
                    && !obligations.path("deidentificationRequired").isBoolean()) {
                throw new IllegalArgumentException("deidentificationRequired is not a boolean");
            }
        }
        Decision.Obligations parsed = allow
                ? new Decision.Obligations(
                        obligations.get("maxK").asInt(),
                        strings(obligations.path("datasets")).stream().toList(),
                        list(obligations.path("redactFields")),
                        obligations.path("deidentificationRequired").asBoolean(false))
                : Decision.Obligations.none();
        return new Decision(allow, reasons, parsed, decisionId);
    }

    private static TreeSet<String> strings(JsonNode array) {
        TreeSet<String> values = new TreeSet<>();
        if (array != null && array.isArray()) {
            array.forEach(value -> values.add(value.asString()));
        }
        return values;
    }

    private static List<String> list(JsonNode array) {
        List<String> values = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(value -> values.add(value.asString()));
        }
        return values;
    }
}
