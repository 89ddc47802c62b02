package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.internal.backend.BackendFailure;
import io.warden.policy.internal.backend.McpToolBackendClient;
import io.warden.policy.internal.backend.McpToolBackendClient.UpstreamTool;
import io.warden.registry.Actor;
import io.warden.registry.Catalog;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Commands;
import io.warden.registry.McpServerView;
import io.warden.registry.McpServers;
import io.warden.registry.RegistryException;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * Discovery and import of a registered MCP server's tools; admins only (the application's role rules). The listing
 * is fetched live from the upstream through the egress guard, as a call would be. An import creates each chosen
 * upstream tool as a Warden MCP tool through the registry's {@link Catalog} (each creation audited and versioned
 * there), with the description and input schema the upstream gives it now; all of them or none (one transaction).
 */
@Tag(name = "MCP servers")
@RestController
@RequestMapping(path = "/api/v1/mcp-servers/{key}", produces = "application/json")
class McpImportController {

    /** How long an admin's listing waits for the upstream. */
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(15);

    private static final String KEY = "^[a-z0-9][a-z0-9-]{1,62}$";
    private static final int MAX_DESCRIPTION = 4000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Schema(name = "UpstreamMcpTool")
    record UpstreamToolView(String name, String description, Map<String, Object> inputSchema) {}

    @Schema(name = "UpstreamMcpTools")
    record UpstreamTools(String server, List<UpstreamToolView> tools) {}

    /** One upstream tool to import as a Warden tool. */
    @Schema(name = "McpToolImport")
    record ToolImport(
            @Schema(description = "The tool's name on the MCP server") @NotBlank @Size(max = 200)
            String upstreamTool,

            @Schema(description = "The Warden tool key agents call it by") @NotNull @Pattern(regexp = KEY)
            String key,

            @Schema(description = "Defaults to the upstream name") @Nullable @Size(max = 200)
            String displayName,

            @NotNull SensitivityLabel sensitivity,

            @Schema(description = "The data scopes its calls are decided on") @NotEmpty @Size(max = 100)
            Set<@NotNull @Pattern(regexp = KEY) String> dataScopes,

            @Schema(description = "Defaults to 10") @Nullable @Min(1) @Max(10000)
            Integer maxK,

            @Schema(description = "Whether the audit trail keeps the calls' arguments and results") @Nullable
            Boolean storePayloads) {}

    @Schema(name = "McpToolImports")
    record Imports(@NotEmpty @Size(max = 100) List<@NotNull @Valid ToolImport> tools) {}

    @Schema(name = "ImportedMcpTools")
    record Imported(String server, List<ToolView> tools) {}

    private final McpServers servers;
    private final McpToolBackendClient client;
    private final Catalog catalog;
    private final CatalogQueries queries;
    private final TransactionTemplate transactions;

    McpImportController(
            McpServers servers,
            McpToolBackendClient client,
            Catalog catalog,
            CatalogQueries queries,
            TransactionTemplate transactions) {
        this.servers = servers;
        this.client = client;
        this.catalog = catalog;
        this.queries = queries;
        this.transactions = transactions;
    }

    @Operation(
            operationId = "listUpstreamTools",
            summary = "List the tools an MCP server offers now, fetched live through the egress guard")
    @ApiResponse(responseCode = "200", description = "The upstream's tools", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "503", ref = "ServiceUnavailable")
    @GetMapping("/upstream-tools")
    UpstreamTools upstreamTools(@PathVariable String key) {
        McpServerView server = servers.get(key);
        List<UpstreamToolView> tools = fetch(server).stream()
                .map(t -> new UpstreamToolView(t.name(), t.description(), t.inputSchema()))
                .toList();
        return new UpstreamTools(server.key(), tools);
    }

    @Operation(
            operationId = "importUpstreamTools",
            summary = "Import upstream tools of an MCP server as Warden tools, all or none")
    @ApiResponse(responseCode = "201", description = "The tools as created", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @ApiResponse(responseCode = "503", ref = "ServiceUnavailable")
    @PostMapping(path = "/imports", consumes = "application/json")
    ResponseEntity<Imported> importTools(@PathVariable String key, @RequestBody @Valid Imports request, Actor actor) {
        McpServerView server = servers.get(key);
        List<ToolImport> wanted = request.tools();
        // everything the request alone can be wrong about is refused before the upstream is asked or a row written
        Set<String> keys = new HashSet<>();
        Set<String> existing = new HashSet<>();
        queries.tools().forEach(t -> existing.add(t.key()));
        for (int i = 0; i < wanted.size(); i++) {
            String toolKey = wanted.get(i).key();
            if (!keys.add(toolKey)) {
                throw new RegistryException.InvalidField(
                        "tools[" + i + "].key", "The key '" + toolKey + "' appears twice in this import");
            }
            if (existing.contains(toolKey)) {
                throw new RegistryException.AlreadyExists(
                        "tools[" + i + "].key", "A tool with key '" + toolKey + "' exists already");
            }
        }
        Map<String, UpstreamTool> offered = new HashMap<>();
        for (UpstreamTool tool : fetch(server)) {
            offered.putIfAbsent(tool.name(), tool);
        }
        List<Commands.SaveTool> saves = new ArrayList<>();
        for (int i = 0; i < wanted.size(); i++) {
            ToolImport one = wanted.get(i);
            UpstreamTool upstream = offered.get(one.upstreamTool());
            if (upstream == null) {
                throw new RegistryException.InvalidField(
                        "tools[" + i + "].upstreamTool",
                        "The MCP server '" + server.key() + "' offers no tool named '" + one.upstreamTool() + "'");
            }
            saves.add(save(server, one, upstream));
        }
        List<ToolView> created = Objects.requireNonNull(transactions.execute(status -> {
            List<ToolView> views = new ArrayList<>();
            for (int i = 0; i < saves.size(); i++) {
                try {
                    views.add(catalog.createTool(wanted.get(i).key(), saves.get(i), false, actor));
                } catch (RegistryException.InvalidField e) {
                    // the rollback undoes the tools created before this one; the field names the entry at fault
                    throw new RegistryException.InvalidField(
                            "tools[" + i + "]." + Objects.requireNonNullElse(e.field(), "key"),
                            Objects.requireNonNullElse(e.getMessage(), "invalid"));
                }
            }
            return views;
        }));
        return ResponseEntity.status(HttpStatus.CREATED).body(new Imported(server.key(), created));
    }

    private static Commands.SaveTool save(McpServerView server, ToolImport one, UpstreamTool upstream) {
        String description = upstream.description();
        if (description.length() > MAX_DESCRIPTION) {
            description = description.substring(0, MAX_DESCRIPTION);
        }
        Map<String, Object> schema = new LinkedHashMap<>(upstream.inputSchema());
        return new Commands.SaveTool(
                one.displayName() == null || one.displayName().isBlank()
                        ? clip(upstream.name(), 200)
                        : one.displayName(),
                description,
                "mcp",
                new TreeSet<>(),
                one.maxK() == null ? 10 : one.maxK(),
                one.sensitivity(),
                new ToolBackend.Mcp(server.key(), upstream.name(), server.phiApproved()),
                JSON.writeValueAsString(schema),
                new TreeSet<>(one.dataScopes()),
                Boolean.TRUE.equals(one.storePayloads()));
    }

    private static String clip(String s, int max) {
        return s.length() > max ? s.substring(0, max) : s;
    }

    private List<UpstreamTool> fetch(McpServerView server) {
        try {
            return client.listTools(server.key(), LIST_TIMEOUT).stream()
                    .filter(t -> !t.name().isBlank())
                    .toList();
        } catch (BackendFailure e) {
            throw new UpstreamFailed(server.key(), e);
        } catch (RuntimeException e) {
            throw new UpstreamFailed(
                    server.key(), new BackendFailure(BackendFailure.UPSTREAM_UNAVAILABLE, "the listing failed", e));
        }
    }

    /** The upstream could not be listed: refused by the egress guard, unreachable, too slow or malformed. */
    static final class UpstreamFailed extends ProblemException {

        private static final long serialVersionUID = 1L;

        UpstreamFailed(String server, BackendFailure failure) {
            super(
                    failure.code(),
                    ProblemKind.UNAVAILABLE,
                    "The MCP server '" + server + "' could not be listed: " + failure.getMessage(),
                    null,
                    Map.of("server", server));
        }
    }
}
