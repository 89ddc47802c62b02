package io.warden.registry.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.registry.Actor;
import io.warden.registry.GroupEntitlementView;
import io.warden.registry.GroupEntitlements;
import io.warden.registry.PurposeOfUse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import java.util.Set;
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
 * {@code /api/v1/group-entitlements}: which directory groups may read which data scopes, under which purposes
 * of use. Admins, compliance and security operations read it; admins change it, every change audited.
 */
@Tag(
        name = "Group entitlements",
        description = "Which directory groups may read which data scopes, under which purposes of use")
@RestController
@RequestMapping(path = "/api/v1/group-entitlements", produces = "application/json")
class GroupEntitlementController {

    @Schema(name = "CreateGroupEntitlement")
    record Create(
            @NotBlank @Size(max = 200) String groupId,
            @NotBlank @Pattern(regexp = Requests.KEY) String scope,
            @NotEmpty @Size(max = 20) Set<@NotNull PurposeOfUse> purposes) {}

    @Schema(name = "UpdateGroupEntitlement")
    record Update(
            @NotEmpty @Size(max = 20) Set<@NotNull PurposeOfUse> purposes,
            @NotNull @PositiveOrZero Long version) {}

    private final GroupEntitlements entitlements;

    GroupEntitlementController(GroupEntitlements entitlements) {
        this.entitlements = entitlements;
    }

    @Operation(operationId = "listGroupEntitlements", summary = "List group entitlements")
    @GetMapping
    List<GroupEntitlementView> list() {
        return entitlements.list();
    }

    @Operation(operationId = "getGroupEntitlement", summary = "Read a group entitlement")
    @ApiResponse(responseCode = "200", description = "The entitlement", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{id}")
    GroupEntitlementView one(@PathVariable String id) {
        return entitlements.find(Ids.uuid(id, "group-entitlement"));
    }

    @Operation(
            operationId = "createGroupEntitlement",
            summary = "Entitle a directory group to a data scope under purposes of use")
    @ApiResponse(
            responseCode = "201",
            description = "Created; Location names the new entitlement",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(consumes = "application/json")
    ResponseEntity<GroupEntitlementView> create(@Valid @RequestBody Create request, Actor actor) {
        GroupEntitlementView created = entitlements.create(
                new GroupEntitlements.Grant(request.groupId(), request.scope(), Requests.sorted(request.purposes())),
                actor);
        return ResponseEntity.created(URI.create("/api/v1/group-entitlements/" + created.id()))
                .body(created);
    }

    @Operation(
            operationId = "updateGroupEntitlement",
            summary = "Change an entitlement's purposes from the version read")
    @ApiResponse(responseCode = "200", description = "The entitlement as updated", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PutMapping(path = "/{id}", consumes = "application/json")
    GroupEntitlementView update(@PathVariable String id, @Valid @RequestBody Update request, Actor actor) {
        return entitlements.update(
                Ids.uuid(id, "group-entitlement"), Requests.sorted(request.purposes()), request.version(), actor);
    }

    @Operation(operationId = "deleteGroupEntitlement", summary = "Remove an entitlement at the version read")
    @ApiResponse(responseCode = "204", description = "Removed", useReturnTypeSchema = false)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id, @RequestParam long version, Actor actor) {
        entitlements.delete(Ids.uuid(id, "group-entitlement"), version, actor);
        return ResponseEntity.noContent().build();
    }
}
