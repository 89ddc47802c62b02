package io.warden.collections.internal;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.collections.internal.CollectionViews.CollectionView;
import io.warden.collections.internal.CollectionViews.EvaluationView;
import io.warden.collections.internal.CollectionViews.UploadView;
import io.warden.collections.internal.CollectionViews.VersionView;
import io.warden.registry.Actor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/collections}: governed collections, their versions, uploads, builds, item removals, retirement and
 * evaluations; {@code /api/v1/collection-gates/{dataScope}}: a data scope's evaluation gate. Role rules are in the
 * app's security configuration (changes: ADMIN; reads: ADMIN, COMPLIANCE, SECOPS).
 */
@Tag(name = "Collections", description = "Governed collections: create, fill, version, evaluate and retire them")
@RestController
class CollectionController {

    /** Why: kept with the version (an item removal) or the collection (a retirement), and audited. */
    record Reason(@Nullable String reason) {}

    record Gate(@Nullable Double minTop1) {}

    private final CollectionService collections;
    private final CollectionEvaluations evaluations;

    CollectionController(CollectionService collections, CollectionEvaluations evaluations) {
        this.collections = collections;
        this.evaluations = evaluations;
    }

    @Operation(operationId = "createCollection", summary = "Create a governed collection for a data scope")
    @ApiResponse(responseCode = "201", description = "Created", useReturnTypeSchema = true)
    @PostMapping(path = "/api/v1/collections", consumes = "application/json", produces = "application/json")
    ResponseEntity<CollectionView> create(@RequestBody CollectionService.CreateRequest request, Actor actor) {
        CollectionView created = collections.create(request, actor);
        return ResponseEntity.created(URI.create("/api/v1/collections/" + created.name()))
                .body(created);
    }

    @Operation(operationId = "listCollections", summary = "List the governed collections")
    @GetMapping(path = "/api/v1/collections", produces = "application/json")
    List<CollectionView> list() {
        return collections.list();
    }

    @Operation(operationId = "getCollection", summary = "Read a governed collection")
    @GetMapping(path = "/api/v1/collections/{name}", produces = "application/json")
    CollectionView get(@PathVariable String name) {
        return collections.get(name);
    }

    @Operation(
            operationId = "listCollectionVersions",
            summary = "List a collection's versions and their builds' progress")
    @GetMapping(path = "/api/v1/collections/{name}/versions", produces = "application/json")
    List<VersionView> versions(@PathVariable String name) {
        return collections.versions(name);
    }

    @Operation(operationId = "getCollectionVersion", summary = "Read a version, its progress and its refused items")
    @GetMapping(path = "/api/v1/collections/{name}/versions/{version}", produces = "application/json")
    VersionView version(
            @PathVariable String name, @PathVariable long version, @RequestParam(defaultValue = "100") int rejections) {
        if (rejections < 0 || rejections > 1000) {
            throw CollectionRefused.invalid("rejections", "rejections is between 0 and 1000");
        }
        return collections.version(name, version, rejections);
    }

    @Operation(
            operationId = "uploadCollectionInput",
            summary = "Upload an input for a build (NDJSON items or vectors, a .npy array, labels, a ZIP of images)")
    @ApiResponse(responseCode = "201", description = "Kept; a build names its id", useReturnTypeSchema = true)
    @PostMapping(
            path = "/api/v1/collections/{name}/uploads",
            consumes = {"application/x-ndjson", "application/octet-stream", "application/zip"},
            produces = "application/json")
    ResponseEntity<UploadView> upload(@PathVariable String name, InputStream body, Actor actor) throws IOException {
        UploadView upload = collections.upload(name, body, actor);
        return ResponseEntity.created(URI.create("/api/v1/collections/" + name + "/uploads/" + upload.id()))
                .body(upload);
    }

    @Operation(
            operationId = "deleteCollectionUpload",
            summary = "Delete an upload: its file and row (a withdrawn patient's data must not stay in an input)")
    @ApiResponse(responseCode = "204", description = "Deleted")
    @DeleteMapping(path = "/api/v1/collections/{name}/uploads/{id}")
    ResponseEntity<Void> deleteUpload(
            @PathVariable String name,
            @PathVariable String id,
            @RequestBody(required = false) @Nullable Reason reason,
            Actor actor) {
        collections.deleteUpload(name, id, reason == null ? null : reason.reason(), actor);
        return ResponseEntity.noContent().build();
    }

    @Operation(operationId = "startCollectionBuild", summary = "Build a new version from uploads")
    @ApiResponse(
            responseCode = "202",
            description = "Started; the version's progress is readable",
            useReturnTypeSchema = true)
    @PostMapping(
            path = "/api/v1/collections/{name}/builds",
            consumes = "application/json",
            produces = "application/json")
    ResponseEntity<VersionView> build(
            @PathVariable String name, @RequestBody CollectionService.BuildRequest request, Actor actor) {
        VersionView version = collections.startBuild(name, request, actor);
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/collections/" + name + "/versions/" + version.version()))
                .body(version);
    }

    @Operation(operationId = "removeCollectionItem", summary = "Remove an item: build a new version without it")
    @ApiResponse(
            responseCode = "202",
            description = "The build of the version without it started",
            useReturnTypeSchema = true)
    @DeleteMapping(path = "/api/v1/collections/{name}/items/{id}", produces = "application/json")
    ResponseEntity<VersionView> remove(
            @PathVariable String name,
            @PathVariable String id,
            @RequestBody(required = false) @Nullable Reason reason,
            Actor actor) {
        VersionView version = collections.removeItem(name, id, reason == null ? null : reason.reason(), actor);
        return ResponseEntity.accepted()
                .location(URI.create("/api/v1/collections/" + name + "/versions/" + version.version()))
                .body(version);
    }

    @Operation(operationId = "retireCollection", summary = "Retire a collection: every search of it is refused")
    @PostMapping(
            path = "/api/v1/collections/{name}/retire",
            consumes = "application/json",
            produces = "application/json")
    CollectionView retire(@PathVariable String name, @RequestBody Reason reason, Actor actor) {
        return collections.retire(name, reason.reason(), actor);
    }

    @Operation(operationId = "evaluateCollectionVersion", summary = "Evaluate the current version and store the result")
    @ApiResponse(
            responseCode = "201",
            description = "The evaluation, stored with the version",
            useReturnTypeSchema = true)
    @PostMapping(
            path = "/api/v1/collections/{name}/versions/{version}/evaluations",
            consumes = "application/json",
            produces = "application/json")
    ResponseEntity<EvaluationView> evaluate(
            @PathVariable String name,
            @PathVariable long version,
            @RequestBody CollectionEvaluations.EvaluateRequest request,
            Actor actor) {
        EvaluationView evaluation = evaluations.evaluate(name, version, request, actor);
        return ResponseEntity.created(
                        URI.create("/api/v1/collections/" + name + "/versions/" + version + "/evaluations"))
                .body(evaluation);
    }

    @Operation(operationId = "listCollectionEvaluations", summary = "List a version's evaluations")
    @GetMapping(path = "/api/v1/collections/{name}/versions/{version}/evaluations", produces = "application/json")
    List<EvaluationView> evaluations(@PathVariable String name, @PathVariable long version) {
        return evaluations.evaluations(name, version);
    }

    @Operation(operationId = "setCollectionGate", summary = "Set or clear a data scope's minimum Top-1 accuracy")
    @PutMapping(
            path = "/api/v1/collection-gates/{dataScope}",
            consumes = "application/json",
            produces = "application/json")
    Map<String, Object> gate(@PathVariable String dataScope, @RequestBody Gate gate, Actor actor) {
        return collections.gate(dataScope, gate.minTop1(), actor);
    }
}
