package io.warden.registry.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.registry.Actor;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.EditableDirectory;
import io.warden.registry.RegistryException;
import io.warden.registry.events.DirectoryAccountChanged;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The local directory of people under {@code /api/v1/directory/users}: people read it; admins add people,
 * name their manager and disable or enable their account (so that the orphaned-owner flow can be tried
 * without Entra). Every change is audited. With Entra as the directory, Entra is edited instead and
 * changes here are refused.
 */
@Tag(
        name = "Directory",
        description = "People, their managers and accounts; edited here only when the directory is the local one")
@RestController
@RequestMapping(path = "/api/v1/directory/users", produces = "application/json")
class DirectoryController {

    record NewPerson(
            @NotBlank @Size(max = 200) @Pattern(regexp = "[A-Za-z0-9._@-]+")
            String id,

            @NotBlank @Size(max = 200) String userPrincipalName,
            @NotBlank @Size(max = 200) String displayName,
            @Nullable @Email @Size(max = 200) String mail,
            @Nullable @Size(max = 200) String managerId) {}

    @Schema(name = "AccountChange")
    record Account(@NotNull Boolean enabled) {}

    private final Directory directory;
    private final @Nullable EditableDirectory local;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    DirectoryController(
            Directory directory,
            ObjectProvider<EditableDirectory> local,
            AuditLog audit,
            ApplicationEventPublisher events,
            Clock clock) {
        this.events = events;
        this.clock = clock;
        this.directory = directory;
        this.local = local.getIfAvailable();
        this.audit = audit;
    }

    @Operation(operationId = "listPeople", summary = "List the people in the local directory")
    @ApiResponse(responseCode = "200", description = "The people", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @GetMapping
    List<DirectoryUser> list() {
        return local().list();
    }

    @Operation(operationId = "getPerson", summary = "Read a person from the directory")
    @ApiResponse(responseCode = "200", description = "The person", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{id}")
    DirectoryUser get(@PathVariable String id) {
        return directory.findUser(id).orElseThrow(() -> new RegistryException.NotFound("person", id));
    }

    @Operation(operationId = "addPerson", summary = "Add a person to the local directory")
    @ApiResponse(responseCode = "201", description = "Added; Location names the person", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(consumes = "application/json")
    ResponseEntity<DirectoryUser> add(@Valid @RequestBody NewPerson person, Actor actor) {
        if (person.managerId() != null && directory.findUser(person.managerId()).isEmpty()) {
            throw new RegistryException.InvalidField(
                    "managerId", "No person with id '" + person.managerId() + "' in the directory");
        }
        DirectoryUser added = local().add(new DirectoryUser(
                person.id(),
                person.userPrincipalName(),
                person.displayName(),
                person.mail(),
                true,
                false,
                person.managerId()));
        record("directory.person_added", actor, added);
        return ResponseEntity.created(URI.create("/api/v1/directory/users/" + added.id()))
                .body(added);
    }

    @Operation(
            operationId = "setPersonAccount",
            summary = "Enable or disable a person's account in the local directory")
    @ApiResponse(responseCode = "200", description = "The person as changed", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PutMapping(path = "/{id}/account", consumes = "application/json")
    DirectoryUser account(@PathVariable String id, @Valid @RequestBody Account account, Actor actor) {
        DirectoryUser changed = local().setEnabled(id, account.enabled())
                .orElseThrow(() -> new RegistryException.NotFound("person", id));
        record(account.enabled() ? "directory.account_enabled" : "directory.account_disabled", actor, changed);
        events.publishEvent(
                new DirectoryAccountChanged(changed.id(), changed.accountEnabled(), actor.id(), clock.instant()));
        return changed;
    }

    private EditableDirectory local() {
        if (local == null) {
            throw new RegistryException.Conflict(
                    "directory-is-external", "The directory is Entra ID: add, disable and enable people there");
        }
        return local;
    }

    private void record(String action, Actor actor, DirectoryUser user) {
        audit.append(AuditEvent.builder(action, AuditActor.person(actor.id()), new AuditTarget("person", user.id()))
                .owner(user.id())
                .detail("enabled", user.accountEnabled())
                .build());
    }
}
