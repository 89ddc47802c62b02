package io.warden.registry.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.registry.Actor;
import io.warden.registry.AgentCredential;
import io.warden.registry.AgentCredentials;
import io.warden.registry.CredentialKind;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** An agent's credentials: list (never a secret), register a certificate, remove one. */
@Tag(
        name = "Agent credentials",
        description = "The secrets and certificates an agent authenticates with, and when they lapse")
@RestController
@Validated
@RequestMapping(path = "/api/v1/agents/{id}/credentials", produces = "application/json")
class CredentialController {

    private final AgentCredentials credentials;

    CredentialController(AgentCredentials credentials) {
        this.credentials = credentials;
    }

    /** What the API shows of a credential: what it is and when it lapses, nothing that proves it. */
    record CredentialResponse(
            UUID id,
            CredentialKind kind,
            @Nullable String fingerprint,
            Instant notBefore,
            Instant expiresAt,
            Instant createdAt,
            String createdBy,
            @Nullable Instant revokeAfter,
            @Nullable Instant revokedAt,
            String state) {

        static CredentialResponse of(AgentCredential credential) {
            String state = credential.revokedAt() != null
                    ? "REVOKED"
                    : credential.revokeAfter() != null ? "REPLACED" : "CURRENT";
            return new CredentialResponse(
                    credential.id(),
                    credential.kind(),
                    credential.fingerprint(),
                    credential.notBefore(),
                    credential.expiresAt(),
                    credential.createdAt(),
                    credential.createdBy(),
                    credential.revokeAfter(),
                    credential.revokedAt(),
                    state);
        }
    }

    record AddCertificate(
            @NotNull @Size(min = 1, max = 16384) String certificate) {}

    @Operation(operationId = "listAgentCredentials", summary = "List an agent's credentials (never a secret)")
    @ApiResponse(responseCode = "200", description = "The credentials, newest first", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping
    List<CredentialResponse> list(@PathVariable String id, Actor actor) {
        return credentials.list(Ids.agent(id), actor).stream()
                .map(CredentialResponse::of)
                .toList();
    }

    @Operation(operationId = "addAgentCertificate", summary = "Register a certificate the agent may authenticate with")
    @ApiResponse(
            responseCode = "201",
            description = "Registered; Location names the credential",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(path = "/certificates", consumes = "application/json")
    ResponseEntity<CredentialResponse> addCertificate(
            @PathVariable String id, @RequestBody @Valid AddCertificate request, Actor actor) {
        AgentCredential added = credentials.addCertificate(Ids.agent(id), request.certificate(), actor);
        return ResponseEntity.created(URI.create("/api/v1/agents/" + id + "/credentials/" + added.id()))
                .body(CredentialResponse.of(added));
    }

    @Operation(operationId = "removeAgentCredential", summary = "Revoke one of an agent's credentials")
    @ApiResponse(responseCode = "204", description = "Revoked", useReturnTypeSchema = false)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @DeleteMapping("/{credentialId}")
    ResponseEntity<Void> remove(@PathVariable String id, @PathVariable String credentialId, Actor actor) {
        credentials.remove(Ids.agent(id), Ids.uuid(credentialId, "credential"), actor);
        return ResponseEntity.noContent().build();
    }
}
