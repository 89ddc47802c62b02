package io.warden.registry.internal.web;

import io.swagger.v3.oas.annotations.media.Schema;
import io.warden.registry.AgentKind;
import io.warden.registry.ModelInfo;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** The JSON bodies the registry API accepts. Unknown fields are rejected by the application's JSON settings. */
final class Requests {

    static final String KEY = "^[a-z0-9][a-z0-9-]{1,62}$";

    private Requests() {}

    static <T> SortedSet<T> sorted(@Nullable Set<T> values) {
        return values == null ? new TreeSet<>() : new TreeSet<>(values);
    }

    record Model(
            @NotBlank @Size(max = 200) String name,
            @Nullable @Size(max = 100) String version,
            @Nullable @Positive @Max(65536) Integer embeddingDimension) {

        ModelInfo toModel() {
            return new ModelInfo(name, version, embeddingDimension);
        }

        static @Nullable ModelInfo of(@Nullable Model model) {
            return model == null ? null : model.toModel();
        }
    }

    record RegisterAgent(
            @NotBlank @Size(max = 120) String name,
            @NotNull AgentKind kind,
            @NotBlank @Size(max = 4000) String purpose,
            @Nullable @Size(max = 200) String ownerId,
            @Nullable @Valid Model model,
            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> dataScopes,
            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> tools,
            @Nullable @Size(max = 20) Set<@NotNull PurposeOfUse> purposesOfUse,
            @Nullable Boolean submit) {}

    record UpdateAgent(
            @NotBlank @Size(max = 120) String name,
            @NotBlank @Size(max = 4000) String purpose,
            @Nullable @Valid Model model,
            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> requestedScopes,
            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> requestedTools,
            @Nullable @Size(max = 20) Set<@NotNull PurposeOfUse> requestedPurposes,
            @NotNull @Min(1) Long version) {}

    record ChangeOwner(
            @NotBlank @Size(max = 200) String ownerId,
            @NotBlank @Size(max = 2000) String reason) {}

    record Reason(@NotBlank @Size(max = 2000) String reason) {}

    record ChangeRequest(
            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> addScopes,
            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> removeScopes,
            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> addTools,
            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> removeTools,
            @Nullable @Size(max = 20) Set<@NotNull PurposeOfUse> addPurposes,
            @Nullable @Size(max = 20) Set<@NotNull PurposeOfUse> removePurposes,
            @NotBlank @Size(max = 4000) String justification) {}

    record CreateDataScope(
            @NotNull @Pattern(regexp = KEY) String key,
            @NotBlank @Size(max = 200) String displayName,
            @Nullable @Size(max = 4000) String description,
            @NotNull SensitivityLabel sensitivity,
            @NotNull Boolean phi,
            @NotNull Boolean deidentified,
            @NotEmpty Set<@NotNull PurposeOfUse> allowedPurposes,
            @Nullable @Size(max = 20) Set<@NotNull PurposeOfUse> deidentifyFor,

            @Schema(description = "Every call on the scope waits for a person's approval (false when left out)")
            @Nullable
            Boolean approvalRequired) {}

    record UpdateDataScope(
            @NotBlank @Size(max = 200) String displayName,
            @Nullable @Size(max = 4000) String description,
            @NotNull SensitivityLabel sensitivity,
            @NotNull Boolean phi,
            @NotNull Boolean deidentified,
            @NotEmpty Set<@NotNull PurposeOfUse> allowedPurposes,
            @Nullable @Size(max = 20) Set<@NotNull PurposeOfUse> deidentifyFor,

            @Schema(description = "Every call on the scope waits for a person's approval (kept when left out)")
            @Nullable
            Boolean approvalRequired,

            @NotNull @Min(1) Long version) {}

    record CreateTool(
            @NotNull @Pattern(regexp = KEY) String key,
            @NotBlank @Size(max = 200) String displayName,
            @Nullable @Size(max = 4000) String description,

            @NotNull
            @Schema(
                    oneOf = {String.class, BackendRequests.Backend.class},
                    description = "A built-in service's name, or an object with a kind")
            Object backend,

            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> requiredScopes,
            @NotNull @Min(1) @Max(10000) Integer maxK,
            @NotNull SensitivityLabel sensitivity,

            @Nullable
            @Schema(
                    oneOf = {String.class, Object.class},
                    description = "JSON Schema of the arguments (type object), or its text")
            Object inputSchema,

            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> dataScopes,
            @Nullable Boolean storePayloads,

            @Schema(description = "Every call waits for a person's approval of its arguments (false when left out)")
            @Nullable
            Boolean approvalRequired) {}

    record UpdateTool(
            @NotBlank @Size(max = 200) String displayName,
            @Nullable @Size(max = 4000) String description,

            @NotNull
            @Schema(
                    oneOf = {String.class, BackendRequests.Backend.class},
                    description = "A built-in service's name, or an object with a kind")
            Object backend,

            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> requiredScopes,
            @NotNull @Min(1) @Max(10000) Integer maxK,
            @NotNull SensitivityLabel sensitivity,

            @Nullable
            @Schema(
                    oneOf = {String.class, Object.class},
                    description = "JSON Schema of the arguments (type object), or its text")
            Object inputSchema,

            @Nullable @Size(max = 100) Set<@Pattern(regexp = KEY) String> dataScopes,
            @Nullable Boolean storePayloads,

            @Schema(description = "Every call waits for a person's approval of its arguments (kept when left out)")
            @Nullable
            Boolean approvalRequired,

            @NotNull @Min(1) Long version) {}
}
