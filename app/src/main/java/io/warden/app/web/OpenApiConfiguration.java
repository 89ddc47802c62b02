package io.warden.app.web;

import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import io.warden.audit.problem.Problems;
import io.warden.registry.Actor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document at {@code /v3/api-docs}, a contract clients are generated from. The controllers name
 * their operations, summaries and the problems particular to them ({@code @ApiResponse(responseCode = "404",
 * ref = "NotFound")}); this class defines what those names point to, the {@code Problem} schema every error
 * body follows, and the problems every operation can meet whatever it does: 401 and 403 from the security
 * chain, 400 for a malformed parameter or body and 413 for an oversized body.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String PROBLEM_JSON = "application/problem+json";

    /** The reusable problem responses by name, in status order; the controllers refer to these names. */
    static final Map<String, Problem> RESPONSES = responses(
            new Problem(
                    "BadRequest",
                    "400",
                    "The request is invalid: a field, parameter or body is malformed or breaks a rule; "
                            + "`field` names it"),
            new Problem("Unauthorized", "401", "No valid bearer access token was presented"),
            new Problem("Forbidden", "403", "The caller's roles, ownership or a kill switch do not allow this"),
            new Problem("NotFound", "404", "The resource named in the path does not exist"),
            new Problem(
                    "Conflict",
                    "409",
                    "The resource changed since it was read (stale `version`), is in a state "
                            + "that does not allow this, or already exists"),
            new Problem("PayloadTooLarge", "413", "The request body is larger than the configured limit"),
            new Problem("UnprocessableContent", "422", "The idempotency key was used before with a different request"),
            new Problem(
                    "TooManyRequests",
                    "429",
                    "A rate limit or quota is exhausted; `Retry-After` says when to try again"),
            new Problem(
                    "ServiceUnavailable",
                    "503",
                    "A component the answer depends on (audit, policy, retrieval, "
                            + "directory) is unavailable; nothing was done"));

    record Problem(String name, String status, String description) {}

    static {
        // The caller, resolved from the token by an argument resolver, is not a request parameter.
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Actor.class);
        // Enums (PurposeOfUse, AgentStatus, ...) as named schemas: one type per enum in a generated client,
        // not one nested copy per field, some of which openapi-generator's Java client cannot compile.
        ModelResolver.enumsAsRef = true;
    }

    @Bean
    OpenAPI wardenOpenApi() {
        Components components = new Components()
                .addSecuritySchemes(
                        "bearer",
                        new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP)
                                .scheme("bearer")
                                .bearerFormat("JWT")
                                .description(
                                        "An access token from Warden's token endpoint (/oauth2/token) or the configured issuer"))
                .addSchemas("Problem", problemSchema());
        RESPONSES
                .values()
                .forEach(problem -> components.addResponses(
                        problem.name(),
                        new ApiResponse()
                                .description(problem.description())
                                .content(new Content()
                                        .addMediaType(
                                                PROBLEM_JSON,
                                                new MediaType()
                                                        .schema(new Schema<>()
                                                                .$ref("#/components/schemas/Problem"))))));
        return new OpenAPI()
                .info(new Info()
                        .title("Warden API")
                        .version("v1")
                        .description("Governance control plane for clinical AI agents: the agent registry "
                                + "(/api/v1) and the agents' gateway (/gateway/v1). Errors are RFC 9457 "
                                + "problem+json with a stable type " + Problems.TYPE_PREFIX + "<code>.")
                        .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")))
                // relative: the document describes the Warden that serves it, whatever its address
                .servers(List.of(new Server().url("/").description("The Warden serving this document")))
                .components(components)
                // the two tags the registry's catalogue controller shares, described once here
                .addTagsItem(
                        new Tag()
                                .name("Data scopes")
                                .description(
                                        "Datasets and collections with their sensitivity label, PHI flags and allowed purposes of use"))
                .addTagsItem(new Tag()
                        .name("Tools")
                        .description(
                                "What the gateway exposes to agents: backend, required scopes, maximum k, sensitivity"))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }

    /** Adds the problems every operation can meet to each operation that does not name them itself. */
    @Bean
    OpenApiCustomizer commonProblemResponses() {
        return document -> document.getPaths()
                .values()
                .forEach(path -> path.readOperations().forEach(operation -> {
                    ApiResponses responses = operation.getResponses();
                    boolean hasBody = operation.getRequestBody() != null;
                    boolean hasParameters = operation.getParameters() != null
                            && !operation.getParameters().isEmpty();
                    if (hasBody || hasParameters) {
                        addProblem(responses, "BadRequest");
                    }
                    addProblem(responses, "Unauthorized");
                    addProblem(responses, "Forbidden");
                    if (hasBody) {
                        addProblem(responses, "PayloadTooLarge");
                    }
                    sortByStatus(operation);
                }));
    }

    private static void addProblem(ApiResponses responses, String name) {
        Problem problem = Objects.requireNonNull(RESPONSES.get(name), "no problem response named " + name);
        responses.putIfAbsent(problem.status(), new ApiResponse().$ref("#/components/responses/" + name));
    }

    private static void sortByStatus(Operation operation) {
        ApiResponses sorted = new ApiResponses();
        operation.getResponses().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(entry -> sorted.addApiResponse(entry.getKey(), entry.getValue()));
        operation.setResponses(sorted);
    }

    /** RFC 9457 with Warden's members: the stable {@code code}, the {@code field} at fault and per-field errors. */
    private static Schema<Object> problemSchema() {
        Map<String, Schema> properties = new LinkedHashMap<>();
        properties.put(
                "type",
                string("A URI naming the problem: " + Problems.TYPE_PREFIX + "<code>")
                        .format("uri"));
        properties.put("title", string("A short summary of the problem's type"));
        properties.put("status", typed("integer", "The HTTP status code").format("int32"));
        properties.put("detail", string("What went wrong, for a person"));
        properties.put("instance", string("The request's path").format("uri-reference"));
        properties.put("code", string("The stable code, the last segment of `type`"));
        properties.put("field", string("The request field or parameter at fault, where one is"));
        Map<String, Schema> error = new LinkedHashMap<>();
        error.put("field", string("The field at fault"));
        error.put("message", string("What is wrong with it"));
        properties.put(
                "errors",
                typed("array", "Every field at fault")
                        .items(typed("object", null).properties(error)));
        Schema<Object> schema = typed(
                "object",
                "An RFC 9457 problem document; further members carry facts such as " + "`currentStatus` or `reasons`");
        schema.setProperties(properties);
        schema.setRequired(List.of("type", "status", "code"));
        return schema;
    }

    private static Schema<Object> string(String description) {
        return typed("string", description);
    }

    private static Schema<Object> typed(String type, @Nullable String description) {
        Schema<Object> schema = new Schema<>();
        // the document is OpenAPI 3.1, whose serializer writes `types`; `type` keeps a 3.0 rendering right too
        schema.setType(type);
        schema.setTypes(Set.of(type));
        if (description != null) {
            schema.setDescription(description);
        }
        return schema;
    }

    private static Map<String, Problem> responses(Problem... problems) {
        Map<String, Problem> byName = new LinkedHashMap<>();
        for (Problem problem : problems) {
            byName.put(problem.name(), problem);
        }
        return byName;
    }
}
