package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.RateLimitRefused;
import io.warden.policy.RateLimits;
import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import io.warden.registry.CatalogQueries;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import io.warden.registry.ToolView;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Rate limits and quotas: a tool's default and per-agent overrides (admins change them; admins, security
 * operations and compliance read them), and an agent's quota and use per granted tool (also its owner).
 * Unknown tools and agents are 404 problems; every change is audited by the store.
 */
@Tag(
        name = "Rate limits",
        description = "Per-tool rate limits and quotas, per-agent overrides, and what an agent has used")
@RestController
@RequestMapping(path = "/api/v1", produces = "application/json")
class RateLimitController {

    /** A limit as set: the whole of it, with the version read ({@code 0} for none yet; absent: no check). */
    @Schema(name = "SetRateLimit")
    record SetLimit(
            @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax("1000000")
            Double ratePerSecond,

            @NotNull @Min(1) @Max(10_000_000) Integer burst,
            @Nullable @Min(0) @Max(1_000_000_000_000L) Long dailyQuota,
            @Nullable @Min(0) @Max(1_000_000_000_000L) Long monthlyQuota,
            @Nullable @Min(0) Long version) {}

    /** One override, with the agent's name. */
    @Schema(name = "RateLimitOverride")
    record Override(
            String agentId,
            String agentName,
            double ratePerSecond,
            int burst,
            @Nullable Long dailyQuota,
            @Nullable Long monthlyQuota,
            long version,
            String updatedBy,
            Instant updatedAt) {}

    /** A tool's default (or the built-in one) and its overrides. */
    record ToolLimits(
            String tool,
            String toolName,
            RateLimits.Source source,
            double ratePerSecond,
            int burst,
            @Nullable Long dailyQuota,
            @Nullable Long monthlyQuota,
            long version,
            List<Override> overrides) {}

    /** One tool of an agent's quota. */
    record ToolQuota(
            String tool,
            String toolName,
            RateLimits.Source source,
            double ratePerSecond,
            int burst,
            RateLimits.Quota daily,
            RateLimits.Quota monthly) {}

    /** An agent's quotas and use, per granted tool. */
    record AgentQuota(String agentId, String agentName, List<ToolQuota> tools) {}

    private final RateLimits limits;
    private final CatalogQueries registry;
    private final AgentQueries agents;

    RateLimitController(RateLimits limits, CatalogQueries registry, AgentQueries agents) {
        this.limits = limits;
        this.registry = registry;
        this.agents = agents;
    }

    @Operation(operationId = "getToolRateLimits", summary = "Read a tool's rate limit and its per-agent overrides")
    @ApiResponse(
            responseCode = "200",
            description = "The tool's limit and overrides; ETag carries its version",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/rate-limits/tools/{tool}")
    ResponseEntity<ToolLimits> toolLimits(@PathVariable String tool) {
        ToolView known = tool(tool);
        RateLimits.ToolLimits current = limits.toolLimits(known.key());
        List<Override> overrides = current.overrides().stream()
                .map(each -> {
                    AgentId agent = Objects.requireNonNull(each.agent());
                    String name = agents.findAgent(agent).map(AgentView::name).orElse("(removed agent)");
                    RateLimits.Limit limit = each.limit();
                    return new Override(
                            agent.toString(),
                            name,
                            limit.ratePerSecond(),
                            limit.burst(),
                            limit.dailyQuota(),
                            limit.monthlyQuota(),
                            each.version(),
                            each.updatedBy(),
                            each.updatedAt());
                })
                .toList();
        RateLimits.Limit limit = current.limit();
        return ResponseEntity.ok()
                .eTag(Long.toString(current.version()))
                .body(new ToolLimits(
                        known.key(),
                        known.displayName(),
                        current.source(),
                        limit.ratePerSecond(),
                        limit.burst(),
                        limit.dailyQuota(),
                        limit.monthlyQuota(),
                        current.version(),
                        overrides));
    }

    @Operation(operationId = "setToolRateLimit", summary = "Set a tool's default rate limit and quotas")
    @ApiResponse(
            responseCode = "200",
            description = "The tool's limit and overrides as set",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PutMapping(path = "/rate-limits/tools/{tool}", consumes = "application/json")
    ResponseEntity<ToolLimits> setToolDefault(
            @PathVariable String tool, @RequestBody @Valid SetLimit request, Actor actor) {
        ToolView known = tool(tool);
        limits.setToolDefault(known.key(), limit(request), request.version(), actor.id());
        return toolLimits(known.key());
    }

    @Operation(operationId = "setAgentRateLimit", summary = "Set an agent's own rate limit and quotas on a tool")
    @ApiResponse(
            responseCode = "200",
            description = "The override as set; ETag carries its version",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PutMapping(path = "/rate-limits/tools/{tool}/agents/{agentId}", consumes = "application/json")
    ResponseEntity<RateLimits.Setting> setOverride(
            @PathVariable String tool,
            @PathVariable String agentId,
            @RequestBody @Valid SetLimit request,
            Actor actor) {
        ToolView known = tool(tool);
        AgentView agent = agent(agentId);
        RateLimits.Setting saved =
                limits.setOverride(agent.id(), known.key(), limit(request), request.version(), actor.id());
        return ResponseEntity.ok().eTag(Long.toString(saved.version())).body(saved);
    }

    /** Idempotent: 204 whether or not there was an override (the change, if any, is audited). */
    @Operation(operationId = "removeAgentRateLimit", summary = "Remove an agent's override on a tool (idempotent)")
    @ApiResponse(responseCode = "204", description = "Removed, or there was none", useReturnTypeSchema = false)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @DeleteMapping("/rate-limits/tools/{tool}/agents/{agentId}")
    ResponseEntity<Void> removeOverride(@PathVariable String tool, @PathVariable String agentId, Actor actor) {
        ToolView known = tool(tool);
        AgentView agent = agent(agentId);
        limits.removeOverride(agent.id(), known.key(), actor.id());
        return ResponseEntity.noContent().build();
    }

    @Operation(operationId = "getAgentQuota", summary = "Read an agent's quotas and use per granted tool")
    @ApiResponse(responseCode = "200", description = "The agent's quotas and use", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/agents/{id}/quota")
    AgentQuota quota(@PathVariable String id, Actor actor) {
        AgentView agent = agent(id);
        boolean oversight = actor.has(Role.ADMIN) || actor.has(Role.SECOPS) || actor.has(Role.COMPLIANCE);
        if (!oversight && !agent.ownerId().equals(actor.id())) {
            throw new RateLimitRefused(
                    "not-owner",
                    ProblemKind.FORBIDDEN,
                    null,
                    "Only the agent's owner, admins, security operations and " + "compliance may read its quota");
        }
        Map<String, String> names = new HashMap<>();
        registry.tools().forEach(tool -> names.put(tool.key(), tool.displayName()));
        List<ToolQuota> tools = limits.usage(agent.id(), agent.tools()).stream()
                .map(usage -> new ToolQuota(
                        usage.tool(),
                        names.getOrDefault(usage.tool(), usage.tool()),
                        usage.source(),
                        usage.limit().ratePerSecond(),
                        usage.limit().burst(),
                        usage.daily(),
                        usage.monthly()))
                .toList();
        return new AgentQuota(agent.id().toString(), agent.name(), tools);
    }

    private static RateLimits.Limit limit(SetLimit request) {
        return new RateLimits.Limit(
                request.ratePerSecond(), request.burst(), request.dailyQuota(), request.monthlyQuota());
    }

    private ToolView tool(String key) {
        try {
            return registry.tool(key);
        } catch (RegistryException.NotFound e) {
            throw new RateLimitRefused("tool-not-found", ProblemKind.NOT_FOUND, "tool", "No tool " + shorten(key));
        }
    }

    private AgentView agent(String id) {
        try {
            return agents.findAgent(AgentId.of(id)).orElseThrow(IllegalArgumentException::new);
        } catch (IllegalArgumentException e) {
            throw new RateLimitRefused("agent-not-found", ProblemKind.NOT_FOUND, "agentId", "No agent " + shorten(id));
        }
    }

    /** Path text is echoed back only in part, so a hostile path cannot fill the answer. */
    private static String shorten(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }
}
