package io.warden.registry.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.registry.Actor;
import io.warden.registry.DataSourceKind;
import io.warden.registry.DataSourceView;
import io.warden.registry.DataSources;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import io.warden.registry.SensitivityLabel;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
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
 * The data sources builders read. Everyone signed in sees which sources exist and their scope; only admins see
 * where a source is (a server path or a DICOMweb server's name) and change the catalogue.
 */
@Tag(
        name = "Data sources",
        description = "The DICOM folders and DICOMweb servers cohort builders read, each under a data scope")
@RestController
@RequestMapping(path = "/api/v1/data-sources", produces = "application/json")
class DataSourceController {

    /** What people other than admins see of a source: no location. */
    @Schema(name = "DataSourceListed")
    record Listed(
            String key,
            String displayName,
            DataSourceKind kind,
            String scopeKey,
            SensitivityLabel sensitivity,
            boolean phi,
            long version) {

        static Listed of(DataSourceView view) {
            return new Listed(
                    view.key(),
                    view.displayName(),
                    view.kind(),
                    view.scopeKey(),
                    view.sensitivity(),
                    view.phi(),
                    view.version());
        }
    }

    @Schema(name = "CreateDataSource")
    record Create(
            @NotNull @Pattern(regexp = Requests.KEY) String key,
            @NotBlank @Size(max = 200) String displayName,
            @NotNull DataSourceKind kind,
            @NotBlank @Size(max = 1000) String location,
            @NotNull @Pattern(regexp = Requests.KEY) String scopeKey) {}

    @Schema(name = "UpdateDataSource")
    record Update(
            @NotBlank @Size(max = 200) String displayName,
            @NotNull DataSourceKind kind,
            @NotBlank @Size(max = 1000) String location,
            @NotNull @Pattern(regexp = Requests.KEY) String scopeKey,
            @NotNull @Min(1) Long version) {}

    private final DataSources sources;

    DataSourceController(DataSources sources) {
        this.sources = sources;
    }

    @Operation(operationId = "listDataSources", summary = "List data sources (locations for admins only)")
    @GetMapping
    List<?> list(Actor actor) {
        List<DataSourceView> all = sources.list();
        return admin(actor) ? all : all.stream().map(Listed::of).toList();
    }

    @Operation(operationId = "getDataSource", summary = "Read a data source (its location for admins only)")
    @ApiResponse(responseCode = "200", description = "The data source", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{key}")
    Object one(@PathVariable String key, Actor actor) {
        DataSourceView view = sources.find(key).orElseThrow(() -> new RegistryException.NotFound("data-source", key));
        return admin(actor) ? view : Listed.of(view);
    }

    @Operation(operationId = "createDataSource", summary = "Register a data source")
    @ApiResponse(
            responseCode = "201",
            description = "Created; Location names the new data source",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping(consumes = "application/json")
    ResponseEntity<DataSourceView> create(@RequestBody @Valid Create request, Actor actor) {
        DataSourceView created = sources.create(
                request.key(),
                new DataSources.Save(request.displayName(), request.kind(), request.location(), request.scopeKey()),
                actor.id());
        return ResponseEntity.created(URI.create("/api/v1/data-sources/" + created.key()))
                .body(created);
    }

    @Operation(operationId = "updateDataSource", summary = "Update a data source from the version read")
    @ApiResponse(responseCode = "200", description = "The data source as updated", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PutMapping(path = "/{key}", consumes = "application/json")
    DataSourceView update(@PathVariable String key, @RequestBody @Valid Update request, Actor actor) {
        return sources.update(
                key,
                new DataSources.Save(request.displayName(), request.kind(), request.location(), request.scopeKey()),
                request.version(),
                actor.id());
    }

    @Operation(operationId = "deleteDataSource", summary = "Remove a data source at the version read")
    @ApiResponse(responseCode = "204", description = "Removed", useReturnTypeSchema = false)
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @DeleteMapping("/{key}")
    ResponseEntity<Void> delete(@PathVariable String key, @RequestParam long version, Actor actor) {
        sources.delete(key, version, actor.id());
        return ResponseEntity.noContent().build();
    }

    private static boolean admin(Actor actor) {
        return actor.roles().contains(Role.ADMIN);
    }
}
