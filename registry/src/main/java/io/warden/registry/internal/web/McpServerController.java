package io.warden.registry.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.registry.Actor;
import io.warden.registry.McpServerView;
import io.warden.registry.McpServerView.UpstreamAuth;
import io.warden.registry.McpServers;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The upstream MCP servers whose tools Warden governs; admins only (the application's role rules). Answers carry the
 * names of secrets in the secret store, never their values.
 */
@Tag(name = "MCP servers", description = "Upstream MCP servers whose tools Warden governs")
@RestController
@RequestMapping(path = "/api/v1/mcp-servers", produces = "application/json")
class McpServerController {

    @Schema(name = "UpstreamAuthRequest")
    record Auth(
            @NotNull UpstreamAuth.Kind kind,
            @Nullable @Size(max = 200) String secret,
            @Nullable @Size(max = 2000) String tokenUrl,
            @Nullable @Size(max = 500) String clientId,
            @Nullable @Size(max = 1000) String scope) {

        static UpstreamAuth of(@Nullable Auth auth) {
            return auth == null
                    ? UpstreamAuth.none()
                    : new UpstreamAuth(auth.kind(), auth.secret(), auth.tokenUrl(), auth.clientId(), auth.scope());
        }
    }

    @Schema(name = "RegisterMcpServer")
    record Register(
            @NotNull @Pattern(regexp = Requests.KEY) String key,
            @NotBlank @Size(max = 200) String displayName,
            @NotBlank @Size(max = 2000) String url,
            @Nullable @Valid Auth auth,
            @NotNull Boolean phiApproved) {}

    @Schema(name = "UpdateMcpServer")
    record Update(
            @NotBlank @Size(max = 200) String displayName,
            @NotBlank @Size(max = 2000) String url,
            @Nullable @Valid Auth auth,
            @NotNull Boolean phiApproved,
            @NotNull @Min(1) Long version) {}

    private final McpServers servers;

    McpServerController(McpServers servers) {
        this.servers = servers;
    }

    @Operation(operationId = "listMcpServers", summary = "List the registered MCP servers")
    @GetMapping
    List<McpServerView> list() {
        return servers.list();
    }

    @Operation(operationId = "getMcpServer", summary = "Read an MCP server")
    @ApiResponse(responseCode = "200", description = "The MCP server", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{key}")
    McpServerView one(@PathVariable String key) {
        return servers.get(key);
    }

    @Operation(
            operationId = "registerMcpServer",
            summary = "Register an MCP server (its hosts on the egress allowlist)")
    @ApiResponse(
            responseCode = "201",
            description = "Created; Location names the new MCP server",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(consumes = "application/json")
    ResponseEntity<McpServerView> register(@RequestBody @Valid Register request, Actor actor) {
        McpServerView created = servers.register(
                request.key(),
                new McpServers.Save(
                        request.displayName(), request.url(), Auth.of(request.auth()), request.phiApproved()),
                actor);
        return ResponseEntity.created(URI.create("/api/v1/mcp-servers/" + created.key()))
                .body(created);
    }

    @Operation(operationId = "updateMcpServer", summary = "Change an MCP server from the version read")
    @ApiResponse(responseCode = "200", description = "The MCP server as changed", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PutMapping(path = "/{key}", consumes = "application/json")
    McpServerView update(@PathVariable String key, @RequestBody @Valid Update request, Actor actor) {
        return servers.update(
                key,
                new McpServers.Save(
                        request.displayName(), request.url(), Auth.of(request.auth()), request.phiApproved()),
                request.version(),
                actor);
    }

    @Operation(operationId = "removeMcpServer", summary = "Remove an MCP server no tool uses, at the version read")
    @ApiResponse(responseCode = "204", description = "Removed", useReturnTypeSchema = false)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @DeleteMapping("/{key}")
    ResponseEntity<Void> delete(@PathVariable String key, @RequestParam long version, Actor actor) {
        servers.delete(key, version, actor);
        return ResponseEntity.noContent().build();
    }
}
