package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.policy.GatewayDenied;
import io.warden.policy.ReasonCodes;
import io.warden.policy.internal.GatewayService;
import jakarta.servlet.http.HttpServletResponse;
import java.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The AuthZEN Authorization API 1.0 over the gateway's decision point, for other enforcement points: a subject (an
 * agent), an action (a tool), a resource (a data scope, or a collection decided on its data scope) and the purpose of
 * use in the context. Only an ACTIVE policy enforcement point may ask (the data plane's bearer authentication admits
 * agents, {@link GatewayService#evaluate} the PEP kind); every answer is a decision record naming the PEP.
 */
@Tag(name = "AuthZEN", description = "Decisions for other policy enforcement points (AuthZEN Authorization API 1.0)")
@RestController
class AuthZenController {

    /** More evaluations than this in one batch are refused: each is a durable audit record. */
    static final int MAX_EVALUATIONS = 100;

    private static final int MAX_ID = 200;
    private static final int MAX_KEY = 63;
    private static final String REQUEST_ID = "X-Request-ID";

    record Subject(
            @Nullable String type,
            @Nullable String id,
            @Nullable Map<String, Object> properties) {}

    record Action(@Nullable String name, @Nullable Map<String, Object> properties) {}

    record Resource(
            @Nullable String type,
            @Nullable String id,
            @Nullable Map<String, Object> properties) {}

    record Evaluation(
            @Nullable Subject subject,
            @Nullable Action action,
            @Nullable Resource resource,
            @Nullable Map<String, Object> context) {}

    record Options(@Nullable String evaluations_semantic) {}

    record Batch(
            @Nullable Subject subject,
            @Nullable Action action,
            @Nullable Resource resource,
            @Nullable Map<String, Object> context,
            @Nullable List<Evaluation> evaluations,
            @Nullable Options options) {}

    record Answer(boolean decision, Map<String, Object> context) {}

    record Answers(List<Answer> evaluations) {}

    record Configuration(
            String policy_decision_point, String access_evaluation_endpoint, String access_evaluations_endpoint) {}

    private final GatewayService gateway;

    AuthZenController(GatewayService gateway) {
        this.gateway = gateway;
    }

    @Operation(operationId = "authzenConfiguration", summary = "The AuthZEN metadata of this decision point")
    @GetMapping(path = "/.well-known/authzen-configuration", produces = "application/json")
    Configuration configuration() {
        String base =
                ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString();
        return new Configuration(base, base + "/access/v1/evaluation", base + "/access/v1/evaluations");
    }

    @Operation(operationId = "authzenEvaluation", summary = "One access evaluation, as a policy enforcement point")
    @PostMapping(path = "/access/v1/evaluation", consumes = "application/json", produces = "application/json")
    Answer evaluation(
            @RequestBody Evaluation evaluation,
            Principal principal,
            @RequestHeader(name = REQUEST_ID, required = false) @Nullable String requestId,
            HttpServletResponse response) {
        echo(requestId, response);
        return evaluate(principal.getName(), evaluation, "");
    }

    @Operation(operationId = "authzenEvaluations", summary = "Several access evaluations, with defaults")
    @PostMapping(path = "/access/v1/evaluations", consumes = "application/json", produces = "application/json")
    Object evaluations(
            @RequestBody Batch batch,
            Principal principal,
            @RequestHeader(name = REQUEST_ID, required = false) @Nullable String requestId,
            HttpServletResponse response) {
        echo(requestId, response);
        Evaluation defaults = new Evaluation(batch.subject(), batch.action(), batch.resource(), batch.context());
        List<Evaluation> asked = batch.evaluations();
        if (asked == null || asked.isEmpty()) {
            return evaluate(principal.getName(), defaults, ""); // the specification: a single evaluation
        }
        if (asked.size() > MAX_EVALUATIONS) {
            throw invalid("evaluations", "At most " + MAX_EVALUATIONS + " evaluations in one request");
        }
        String semantic = batch.options() == null || batch.options().evaluations_semantic() == null
                ? "execute_all"
                : batch.options().evaluations_semantic();
        if (!List.of("execute_all", "deny_on_first_deny", "permit_on_first_permit")
                .contains(semantic)) {
            throw invalid(
                    "options.evaluations_semantic",
                    "evaluations_semantic is execute_all, deny_on_first_deny or permit_on_first_permit");
        }
        List<Answer> answers = new ArrayList<>(asked.size());
        for (int i = 0; i < asked.size(); i++) {
            Evaluation one = asked.get(i);
            Evaluation merged = new Evaluation(
                    one.subject() != null ? one.subject() : defaults.subject(),
                    one.action() != null ? one.action() : defaults.action(),
                    one.resource() != null ? one.resource() : defaults.resource(),
                    one.context() != null ? one.context() : defaults.context());
            Answer answer = evaluate(principal.getName(), merged, "evaluations[" + i + "].");
            answers.add(answer);
            if ((semantic.equals("deny_on_first_deny") && !answer.decision())
                    || (semantic.equals("permit_on_first_permit") && answer.decision())) {
                break;
            }
        }
        return new Answers(answers);
    }

    private Answer evaluate(String pep, Evaluation evaluation, String prefix) {
        Subject subject = evaluation.subject();
        if (subject == null) {
            throw invalid(prefix + "subject", "subject is required");
        }
        String subjectType = required(subject.type(), prefix + "subject.type", MAX_KEY);
        String subjectId = required(subject.id(), prefix + "subject.id", MAX_ID);
        if (subject.properties() != null && subject.properties().containsKey("on_behalf_of")) {
            // a person's identity comes only from a delegated token that person's sign-in issued, never from a caller
            throw invalid(
                    prefix + "subject.properties.on_behalf_of",
                    "The person an agent serves is not accepted from an enforcement point");
        }
        Action action = evaluation.action();
        if (action == null) {
            throw invalid(prefix + "action", "action is required");
        }
        String tool = required(action.name(), prefix + "action.name", MAX_KEY);
        Resource resource = evaluation.resource();
        if (resource == null) {
            throw invalid(prefix + "resource", "resource is required");
        }
        String resourceType = required(resource.type(), prefix + "resource.type", MAX_KEY);
        String resourceId = required(resource.id(), prefix + "resource.id", MAX_ID);
        String purpose = null;
        Map<String, Object> context = evaluation.context();
        if (context != null && context.get("purpose_of_use") != null) {
            if (!(context.get("purpose_of_use") instanceof String text) || text.length() > 20) {
                throw invalid(
                        prefix + "context.purpose_of_use",
                        "purpose_of_use is an HL7 v3 PurposeOfUse code such as TREAT");
            }
            purpose = text;
        }
        // A well-formed question about what Warden does not govern is answered, and recorded, as a deny: the
        // specification keeps errors for requests that are not valid, and an enforcement point must fail closed on it.
        if (!"agent".equals(subjectType)) {
            return answer(gateway.refuseUngoverned(
                    pep, subjectType + ":" + subjectId, tool, null, ReasonCodes.SUBJECT_NOT_AN_AGENT));
        }
        boolean collection = "collection".equals(resourceType);
        if (!collection && !"data_scope".equals(resourceType)) {
            return answer(gateway.refuseUngoverned(
                    pep, subjectId, tool, resourceType + ":" + resourceId, ReasonCodes.RESOURCE_NOT_GOVERNED));
        }
        if (resourceId.length() > MAX_KEY) {
            throw invalid(prefix + "resource.id", prefix + "resource.id is at most " + MAX_KEY + " characters");
        }
        return answer(gateway.evaluate(
                pep, subjectId, tool, collection ? null : resourceId, collection ? resourceId : null, purpose));
    }

    private static Answer answer(GatewayService.Evaluation decided) {
        Map<String, Object> answerContext = new LinkedHashMap<>();
        if (!decided.decision()) {
            answerContext.put("reason_codes", decided.reasons());
        }
        return new Answer(decided.decision(), answerContext);
    }

    /**
     * The specification's request identifier: a PEP that sent one gets the same back. One that is not a short line of
     * visible characters is not echoed (it could split the response's headers).
     */
    private static void echo(@Nullable String requestId, HttpServletResponse response) {
        if (requestId != null
                && !requestId.isEmpty()
                && requestId.length() <= MAX_ID
                && requestId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            response.setHeader(REQUEST_ID, requestId);
        }
    }

    private static String required(@Nullable String value, String field, int max) {
        if (value == null || value.isBlank() || value.length() > max) {
            throw invalid(field, field + " is required, at most " + max + " characters");
        }
        return value;
    }

    private static GatewayDenied invalid(String field, String message) {
        return GatewayDenied.invalidField(List.of(ReasonCodes.INVALID_REQUEST), field, message);
    }
}
