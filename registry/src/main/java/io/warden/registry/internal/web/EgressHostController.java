package io.warden.registry.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.registry.Actor;
import io.warden.registry.EgressAllowlist;
import io.warden.registry.EgressHostView;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The egress allowlist: the hosts tool backends may reach. Admins only (the application's role rules). */
@Tag(name = "Egress allowlist", description = "The hosts Warden's tool backends may reach")
@RestController
@RequestMapping(path = "/api/v1/egress-hosts", produces = "application/json")
class EgressHostController {

    @Schema(name = "AllowEgressHost")
    record Allow(
            @NotBlank @Size(max = 255) String host,
            @NotNull Boolean allowPrivate,
            @NotBlank @Size(max = 2000) String reason) {}

    private final EgressAllowlist allowlist;

    EgressHostController(EgressAllowlist allowlist) {
        this.allowlist = allowlist;
    }

    @Operation(operationId = "listEgressHosts", summary = "List the hosts tool backends may reach")
    @GetMapping
    List<EgressHostView> list() {
        return allowlist.list();
    }

    @Operation(operationId = "allowEgressHost", summary = "Allow a host (exact, or *.suffix) for tool backends")
    @ApiResponse(responseCode = "201", description = "Allowed", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(consumes = "application/json")
    ResponseEntity<EgressHostView> allow(@RequestBody @Valid Allow request, Actor actor) {
        EgressHostView added = allowlist.add(request.host(), request.allowPrivate(), request.reason(), actor);
        return ResponseEntity.created(URI.create("/api/v1/egress-hosts/" + added.host()))
                .body(added);
    }

    @Operation(operationId = "disallowEgressHost", summary = "Take a host off the allowlist; calls to it stop at once")
    @ApiResponse(responseCode = "204", description = "Removed", useReturnTypeSchema = false)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @DeleteMapping("/{host}")
    ResponseEntity<Void> disallow(@PathVariable String host, Actor actor) {
        allowlist.remove(host, actor);
        return ResponseEntity.noContent().build();
    }
}
