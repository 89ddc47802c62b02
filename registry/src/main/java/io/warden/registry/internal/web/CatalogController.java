package io.warden.registry.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.warden.registry.Actor;
import io.warden.registry.Catalog;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Commands;
import io.warden.registry.DataScopeView;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolBackend;
import io.warden.registry.ToolView;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The catalogue agents are granted from: data scopes and tools. Changes are for admins only. Its operations
 * fall under two tags of the API document, {@code Data scopes} and {@code Tools}.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = "application/json")
class CatalogController {

    private final Catalog catalog;
    private final CatalogQueries queries;

    CatalogController(Catalog catalog, CatalogQueries queries) {
        this.catalog = catalog;
        this.queries = queries;
    }

    @Operation(operationId = "listDataScopes", tags = "Data scopes", summary = "List data scopes")
    @GetMapping("/data-scopes")
    List<DataScopeView> dataScopes() {
        return queries.dataScopes();
    }

    @Operation(operationId = "getDataScope", tags = "Data scopes", summary = "Read a data scope")
    @ApiResponse(responseCode = "200", description = "The data scope", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/data-scopes/{key}")
    DataScopeView dataScope(@PathVariable String key) {
        return queries.dataScope(key);
    }

    @Operation(operationId = "createDataScope", tags = "Data scopes", summary = "Create a data scope")
    @ApiResponse(
            responseCode = "201",
            description = "Created; Location names the new data scope",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/data-scopes", consumes = "application/json")
    ResponseEntity<DataScopeView> createDataScope(@RequestBody @Valid Requests.CreateDataScope request, Actor actor) {
        var scope = new Commands.SaveDataScope(
                request.displayName(),
                Objects.requireNonNullElse(request.description(), ""),
                request.sensitivity(),
                request.phi(),
                request.deidentified(),
                Requests.sorted(request.allowedPurposes()),
                Requests.sorted(request.deidentifyFor()),
                Boolean.TRUE.equals(request.approvalRequired()));
        DataScopeView created = catalog.createDataScope(request.key(), scope, false, actor);
        return ResponseEntity.created(URI.create("/api/v1/data-scopes/" + created.key()))
                .body(created);
    }

    @Operation(
            operationId = "updateDataScope",
            tags = "Data scopes",
            summary = "Update a data scope from the version read")
    @ApiResponse(responseCode = "200", description = "The data scope as updated", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PutMapping(path = "/data-scopes/{key}", consumes = "application/json")
    DataScopeView updateDataScope(
            @PathVariable String key, @RequestBody @Valid Requests.UpdateDataScope request, Actor actor) {
        var scope = new Commands.SaveDataScope(
                request.displayName(),
                Objects.requireNonNullElse(request.description(), ""),
                request.sensitivity(),
                request.phi(),
                request.deidentified(),
                Requests.sorted(request.allowedPurposes()),
                // left out, a PUT keeps what de-identification the scope requires: dropping it is a loosening
                // an admin has to ask for by sending the empty list
                request.deidentifyFor() == null
                        ? queries.dataScope(key).deidentifyFor()
                        : Requests.sorted(request.deidentifyFor()),
                // left out, a PUT keeps the mark: dropping an approval is a loosening an admin asks for with false
                request.approvalRequired() == null
                        ? queries.dataScope(key).approvalRequired()
                        : request.approvalRequired());
        return catalog.updateDataScope(key, scope, request.version(), actor);
    }

    @Operation(operationId = "listTools", tags = "Tools", summary = "List tools")
    @GetMapping("/tools")
    List<ToolView> tools() {
        return queries.tools();
    }

    @Operation(operationId = "getTool", tags = "Tools", summary = "Read a tool")
    @ApiResponse(responseCode = "200", description = "The tool", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/tools/{key}")
    ToolView tool(@PathVariable String key) {
        return queries.tool(key);
    }

    @Operation(operationId = "createTool", tags = "Tools", summary = "Create a tool")
    @ApiResponse(responseCode = "201", description = "Created; Location names the new tool", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/tools", consumes = "application/json")
    ResponseEntity<ToolView> createTool(@RequestBody @Valid Requests.CreateTool request, Actor actor) {
        var tool = saveTool(
                request.displayName(),
                request.description(),
                request.backend(),
                request.requiredScopes(),
                request.maxK(),
                request.sensitivity(),
                request.inputSchema(),
                request.dataScopes(),
                request.storePayloads(),
                Boolean.TRUE.equals(request.approvalRequired()));
        ToolView created = catalog.createTool(request.key(), tool, false, actor);
        return ResponseEntity.created(URI.create("/api/v1/tools/" + created.key()))
                .body(created);
    }

    @Operation(operationId = "updateTool", tags = "Tools", summary = "Update a tool from the version read")
    @ApiResponse(responseCode = "200", description = "The tool as updated", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PutMapping(path = "/tools/{key}", consumes = "application/json")
    ToolView updateTool(@PathVariable String key, @RequestBody @Valid Requests.UpdateTool request, Actor actor) {
        var tool = saveTool(
                request.displayName(),
                request.description(),
                request.backend(),
                request.requiredScopes(),
                request.maxK(),
                request.sensitivity(),
                request.inputSchema(),
                request.dataScopes(),
                request.storePayloads(),
                // left out, a PUT keeps the mark: dropping an approval is a loosening an admin asks for with false
                request.approvalRequired() == null ? queries.tool(key).approvalRequired() : request.approvalRequired());
        return catalog.updateTool(key, tool, request.version(), actor);
    }

    private static Commands.SaveTool saveTool(
            String displayName,
            @Nullable String description,
            Object backend,
            @Nullable Set<String> requiredScopes,
            int maxK,
            SensitivityLabel sensitivity,
            @Nullable Object inputSchema,
            @Nullable Set<String> dataScopes,
            @Nullable Boolean storePayloads,
            boolean approvalRequired) {
        ToolBackend target = BackendRequests.backend(backend);
        return new Commands.SaveTool(
                displayName,
                Objects.requireNonNullElse(description, ""),
                target instanceof ToolBackend.Builtin builtin
                        ? builtin.service()
                        : target.kind().name(),
                Requests.sorted(requiredScopes),
                maxK,
                sensitivity,
                target,
                BackendRequests.inputSchema(inputSchema),
                Requests.sorted(dataScopes),
                Boolean.TRUE.equals(storePayloads),
                approvalRequired);
    }
}
