package io.warden.registry.internal.web;

import io.swagger.v3.oas.annotations.media.Schema;
import io.warden.registry.BackendKind;
import io.warden.registry.RegistryException;
import io.warden.registry.ToolBackend;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * A tool's {@code backend} and {@code inputSchema} as the API takes them. {@code backend} is a built-in service's name
 * (as before tools had other backends) or an object with a {@code kind}; {@code inputSchema} is a JSON Schema object
 * or its text. Refusals name the field ({@code backend.urlTemplate}, say).
 */
final class BackendRequests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> MCP_FIELDS = Set.of("kind", "server", "upstreamTool");
    private static final Set<String> HTTP_FIELDS =
            Set.of("kind", "method", "urlTemplate", "timeoutMs", "maxResponseBytes", "bearerSecret", "phiApproved");
    private static final Set<String> BUILTIN_FIELDS = Set.of("kind", "service");

    private BackendRequests() {}

    /** The documented shape of an object {@code backend}. */
    @Schema(name = "ToolBackendRequest")
    record Backend(
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED)
            BackendKind kind,

            @Schema(description = "BUILTIN: the service") @Nullable
            String service,

            @Schema(description = "MCP: the registered server's key") @Nullable
            String server,

            @Schema(description = "MCP: the tool's name on that server") @Nullable
            String upstreamTool,

            @Schema(description = "HTTP: GET, POST, PUT, PATCH or DELETE") @Nullable
            String method,

            @Schema(description = "HTTP: absolute http(s) URL; {name} placeholders in path and query only") @Nullable
            String urlTemplate,

            @Schema(description = "HTTP: 1 to 300000") @Nullable
            Integer timeoutMs,

            @Schema(description = "HTTP: 1 to 67108864") @Nullable
            Integer maxResponseBytes,

            @Schema(description = "HTTP: the secret store's name of a bearer token") @Nullable
            String bearerSecret,

            @Schema(description = "HTTP: whether the backend may receive PHI") @Nullable
            Boolean phiApproved) {}

    static ToolBackend backend(@Nullable Object raw) {
        if (raw instanceof String service) {
            if (service.isBlank() || service.length() > 100) {
                throw new RegistryException.InvalidField("backend", "A built-in service's name is 1 to 100 characters");
            }
            return new ToolBackend.Builtin(service);
        }
        if (!(raw instanceof Map<?, ?> map)) {
            throw new RegistryException.InvalidField(
                    "backend", "The backend is a built-in service's name or an object with a kind");
        }
        String kind = string(map, "kind", true);
        BackendKind backendKind;
        try {
            backendKind = BackendKind.valueOf(kind.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new RegistryException.InvalidField("backend.kind", "The kind is BUILTIN, MCP or HTTP");
        }
        return switch (backendKind) {
            case BUILTIN -> {
                only(map, BUILTIN_FIELDS);
                yield new ToolBackend.Builtin(string(map, "service", true));
            }
            case MCP -> {
                only(map, MCP_FIELDS);
                // the PHI approval is the server's; the registry reads it from there
                yield new ToolBackend.Mcp(string(map, "server", true), string(map, "upstreamTool", true), false);
            }
            case HTTP -> {
                only(map, HTTP_FIELDS);
                yield new ToolBackend.Http(
                        string(map, "method", true),
                        string(map, "urlTemplate", true),
                        Duration.ofMillis(number(map, "timeoutMs")),
                        (int) Math.min(Integer.MAX_VALUE, number(map, "maxResponseBytes")),
                        nullableString(map, "bearerSecret"),
                        bool(map, "phiApproved"));
            }
        };
    }

    /** The schema as JSON text; {@code ""} when none was given. */
    static String inputSchema(@Nullable Object raw) {
        if (raw == null) {
            return "";
        }
        if (raw instanceof String text) {
            return text.strip();
        }
        if (raw instanceof Map<?, ?>) {
            return JSON.writeValueAsString(raw);
        }
        throw new RegistryException.InvalidField("inputSchema", "The input schema is a JSON Schema object");
    }

    private static void only(Map<?, ?> map, Set<String> allowed) {
        for (Object key : map.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw new RegistryException.InvalidField(
                        "backend." + key, "This kind of backend has no field " + key + "; it takes " + allowed);
            }
        }
    }

    private static String string(Map<?, ?> map, String field, boolean required) {
        String value = nullableString(map, field);
        if (value == null || (required && value.isBlank())) {
            throw new RegistryException.InvalidField("backend." + field, "backend." + field + " is required");
        }
        return value;
    }

    private static @Nullable String nullableString(Map<?, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text) || text.length() > 2000) {
            throw new RegistryException.InvalidField(
                    "backend." + field, "backend." + field + " is a string of at most 2000 characters");
        }
        return text;
    }

    private static long number(Map<?, ?> map, String field) {
        Object value = map.get(field);
        if (value instanceof Integer || value instanceof Long) {
            return ((Number) value).longValue();
        }
        throw new RegistryException.InvalidField("backend." + field, "backend." + field + " is a whole number");
    }

    private static boolean bool(Map<?, ?> map, String field) {
        Object value = map.get(field);
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean flag) {
            return flag;
        }
        throw new RegistryException.InvalidField("backend." + field, "backend." + field + " is true or false");
    }
}
