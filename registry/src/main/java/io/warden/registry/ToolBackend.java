package io.warden.registry;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where a tool's calls go once the gateway has permitted them: a service built into Warden (the retrieval
 * tools), a tool of an upstream MCP server, or one JSON-over-HTTP operation. Whatever the backend, every call
 * passes the same governed pipeline first.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ToolBackend.Builtin.class, name = "BUILTIN"),
    @JsonSubTypes.Type(value = ToolBackend.Mcp.class, name = "MCP"),
    @JsonSubTypes.Type(value = ToolBackend.Http.class, name = "HTTP")
})
public sealed interface ToolBackend permits ToolBackend.Builtin, ToolBackend.Mcp, ToolBackend.Http {

    BackendKind kind();

    /** Whether the backend is approved to receive PHI: a call on a PHI dataset to one that is not is refused. */
    boolean phiApproved();

    /** A service inside Warden, such as {@code retrieval}. */
    record Builtin(String service) implements ToolBackend {

        public Builtin {
            Objects.requireNonNull(service, "service");
        }

        @Override
        public BackendKind kind() {
            return BackendKind.BUILTIN;
        }

        @Override
        public boolean phiApproved() {
            return true; // Warden's own services run inside the hospital's boundary
        }
    }

    /**
     * A tool of an upstream MCP server registered in Warden.
     *
     * @param server       the key of the {@link McpServerView}
     * @param upstreamTool the tool's name on that server
     */
    record Mcp(String server, String upstreamTool, boolean phiApproved) implements ToolBackend {

        public Mcp {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(upstreamTool, "upstreamTool");
        }

        @Override
        public BackendKind kind() {
            return BackendKind.MCP;
        }
    }

    /**
     * One JSON-over-HTTP operation.
     *
     * @param method           GET, POST, PUT, PATCH or DELETE
     * @param urlTemplate      an absolute http(s) URL whose {@code {name}} placeholders take the call's arguments
     *                         of that name (percent-encoded); the remaining arguments are the JSON body (not for GET)
     * @param timeout          how long one call may take, end to end
     * @param maxResponseBytes the largest answer accepted; a larger one fails the call
     * @param bearerSecret     the name of a secret in the secret store sent as a bearer token, if any
     */
    record Http(
            String method,
            String urlTemplate,
            Duration timeout,
            int maxResponseBytes,
            @Nullable String bearerSecret,
            boolean phiApproved)
            implements ToolBackend {

        public static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

        public Http {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(urlTemplate, "urlTemplate");
            Objects.requireNonNull(timeout, "timeout");
            method = method.toUpperCase(Locale.ROOT);
        }

        @Override
        public BackendKind kind() {
            return BackendKind.HTTP;
        }
    }
}
