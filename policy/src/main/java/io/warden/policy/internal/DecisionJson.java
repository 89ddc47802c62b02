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
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON form of decision inputs and results: OPA's {@code input} and {@code result}, and the decision
 * vectors both decision points are tested with. Field names are stable within a version; this is version 2
 * (version 1 had no granted purposes, no tool scopes or sensitivity, and a de-identification flag instead of the
 * purposes that require it). A decision whose obligations carry a field this gateway does not know is refused:
 * the gateway never accepts an obligation it cannot enforce.
 */
public final class DecisionJson {

    /** The version of the policy and its input this gateway speaks; OPA's bundle names it in every decision. */
    public static final int POLICY_VERSION = 3;

    /** The obligations this gateway enforces; a decision with any other is not accepted. */
    private static final Set<String> KNOWN_OBLIGATIONS =
            Set.of("maxK", "datasets", "redactFields", "deidentificationRequired", "approvalRequired", "breakGlass");

    /** Map keys sorted at every level: equal inputs are equal text, so recorded inputs can be grouped and compared. */
    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    /** What a recorded input says instead of a justification's text: only that one was given. */
    static final String JUSTIFIED = "(given)";

    private DecisionJson() {}

    /**
     * The input as a decision record keeps it ({@code input} of {@code gateway.decision}): the {@link #input(DecisionInput)}
     * form with map keys sorted, without {@code time} (the record's own time is the decision's), with the person's
     * entitlements reduced to the call's data scope (the policy reads no other), and with a justification's text
     * replaced by {@value #JUSTIFIED} (the policy reads only whether one was given; the text is the record's own
     * {@code justification} detail). {@link #input(JsonNode, Instant)} reads it back; deciding that gives the
     * recorded decision.
     */
    public static String recorded(DecisionInput input) {
        var request = input.request();
        String justification = request.justification();
        var person = input.person();
        var reduced = new DecisionInput(
                input.agent(),
                input.tool(),
                input.dataset(),
                input.purposeOfUse(),
                new DecisionInput.Request(
                        request.k(),
                        justification == null || justification.isBlank() ? justification : JUSTIFIED,
                        request.approved()),
                input.killSwitches(),
                input.time(),
                person == null
                        ? null
                        : new DecisionInput.Person(
                                person.id(),
                                person.entitlements()
                                                .containsKey(input.dataset().key())
                                        ? Map.of(
                                                input.dataset().key(),
                                                person.entitlements()
                                                        .get(input.dataset().key()))
                                        : Map.of(),
                                person.breakGlass()));
        Map<String, Object> json = input(reduced);
        json.remove("time");
        return CANONICAL.writeValueAsString(json);
    }

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
                        input.tool().sensitivity().name(),
                        "approvalRequired",
                        input.tool().approvalRequired()));
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
                        names(dataset.deidentifyFor()),
                        "approvalRequired",
                        dataset.approvalRequired()));
        json.put(
                "purposeOfUse",
                input.purposeOfUse() == null ? null : input.purposeOfUse().name());
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("k", input.request().k());
        request.put("justification", input.request().justification());
        request.put("approved", input.request().approved());
        json.put("request", request);
        var person = input.person();
        if (person == null) {
            json.put("person", null);
        } else {
            Map<String, List<String>> entitlements = new TreeMap<>();
            person.entitlements().forEach((scope, purposes) -> entitlements.put(scope, names(purposes)));
            json.put(
                    "person",
                    Map.of("id", person.id(), "entitlements", entitlements, "breakGlass", person.breakGlass()));
        }
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

    /** An input in its JSON form, which names its time. */
    public static DecisionInput input(JsonNode json) {
        return input(json, null);
    }

    /**
     * An input in its JSON form, or in its recorded form ({@link #recorded(DecisionInput)}), which has no {@code
     * time}: {@code time} is then the decision's (its record's) time.
     *
     * @throws IllegalArgumentException when the JSON names no time and none is given
     */
    public static DecisionInput input(JsonNode json, @Nullable Instant time) {
        JsonNode named = json.path("time");
        Instant at = named.isString() ? Instant.parse(named.asString()) : time;
        if (at == null) {
            throw new IllegalArgumentException("the input names no time, and none was given");
        }
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
                        SensitivityLabel.valueOf(tool.get("sensitivity").asString()),
                        tool.path("approvalRequired").asBoolean(false)),
                new DecisionInput.Dataset(
                        dataset.get("key").asString(),
                        SensitivityLabel.valueOf(dataset.get("sensitivity").asString()),
                        dataset.get("phi").asBoolean(),
                        dataset.get("deidentified").asBoolean(),
                        purposes(dataset.get("allowedPurposes")),
                        purposes(dataset.get("deidentifyFor")),
                        dataset.path("approvalRequired").asBoolean(false)),
                purpose == null || purpose.isNull() ? null : PurposeOfUse.valueOf(purpose.asString()),
                new DecisionInput.Request(
                        json.get("request").get("k").asInt(),
                        json.get("request").path("justification").isString()
                                ? json.get("request").get("justification").asString()
                                : null,
                        json.get("request").path("approved").asBoolean(false)),
                new DecisionInput.KillSwitches(
                        switches.get("global").asBoolean(),
                        switches.get("agent").asBoolean(),
                        switches.get("tool").asBoolean(),
                        switches.get("dataset").asBoolean()),
                at,
                person(json.path("person")));
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
            for (String flag : List.of("deidentificationRequired", "approvalRequired", "breakGlass")) {
                if (!obligations.path(flag).isMissingNode()
                        && !obligations.path(flag).isBoolean()) {
                    throw new IllegalArgumentException(flag + " is not a boolean");
                }
            }
        }
        Decision.Obligations parsed = allow
                ? new Decision.Obligations(
                        obligations.get("maxK").asInt(),
                        strings(obligations.path("datasets")).stream().toList(),
                        list(obligations.path("redactFields")),
                        obligations.path("deidentificationRequired").asBoolean(false),
                        obligations.path("approvalRequired").asBoolean(false),
                        obligations.path("breakGlass").asBoolean(false))
                : Decision.Obligations.none();
        return new Decision(allow, reasons, parsed, decisionId);
    }

    private static DecisionInput.@Nullable Person person(JsonNode json) {
        if (!json.isObject()) {
            return null;
        }
        Map<String, Set<PurposeOfUse>> entitlements = new TreeMap<>();
        json.path("entitlements")
                .properties()
                .forEach(entry -> entitlements.put(entry.getKey(), purposes(entry.getValue())));
        return new DecisionInput.Person(
                json.get("id").asString(), entitlements, json.path("breakGlass").asBoolean(false));
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
