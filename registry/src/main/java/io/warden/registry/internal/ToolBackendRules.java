package io.warden.registry.internal;

import io.warden.registry.Commands;
import io.warden.registry.EgressAllowlist;
import io.warden.registry.McpServers;
import io.warden.registry.RegistryException;
import io.warden.registry.ToolBackend;
import java.time.Duration;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a tool's backend must be before it is saved: an MCP tool's server exists; an HTTP tool's URL template is an
 * absolute http(s) URL on the egress allowlist with placeholders only in its path and query, and its method, timeout
 * and size cap are in range; the input schema is a JSON Schema for an object; the data scopes exist. Refusals name
 * the request's field. The outbound guard checks the host again on every call: passing here is not a permit.
 */
@Component
class ToolBackendRules {

    static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
    static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
    static final int MAX_SCHEMA_CHARS = 64 * 1024;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final McpServers servers;
    private final EgressAllowlist allowlist;
    private final RegistryRules rules;

    ToolBackendRules(McpServers servers, EgressAllowlist allowlist, RegistryRules rules) {
        this.servers = servers;
        this.allowlist = allowlist;
        this.rules = rules;
    }

    void check(Commands.SaveTool tool) {
        rules.requireScopes(tool.requiredScopes(), "requiredScopes");
        rules.requireScopes(tool.dataScopes(), "dataScopes");
        switch (tool.target()) {
            case ToolBackend.Builtin builtin -> {
                if (!tool.inputSchema().isEmpty()) {
                    objectSchema(tool.inputSchema());
                }
            }
            case ToolBackend.Mcp mcp -> {
                if (servers.find(mcp.server()).isEmpty()) {
                    throw new RegistryException.InvalidField(
                            "backend.server", "No MCP server with key '" + mcp.server() + "' is registered");
                }
                String upstream = mcp.upstreamTool();
                if (upstream.isBlank()
                        || upstream.length() > 200
                        || upstream.chars().anyMatch(Character::isISOControl)) {
                    throw new RegistryException.InvalidField(
                            "backend.upstreamTool", "The upstream tool's name is 1 to 200 printable characters");
                }
                governed(tool);
            }
            case ToolBackend.Http http -> {
                if (!ToolBackend.Http.METHODS.contains(http.method())) {
                    throw new RegistryException.InvalidField(
                            "backend.method", "The method is one of " + ToolBackend.Http.METHODS);
                }
                if (http.urlTemplate().length() > 2000) {
                    throw new RegistryException.InvalidField(
                            "backend.urlTemplate", "A URL template is at most 2000 characters");
                }
                String host = Egress.templateHost("backend.urlTemplate", http.urlTemplate());
                if (allowlist.matches(host).isEmpty()) {
                    throw new RegistryException.InvalidField(
                            "backend.urlTemplate",
                            "The host " + host + " is not on the egress allowlist; an admin adds it there first");
                }
                if (http.timeout().compareTo(Duration.ofMillis(1)) < 0
                        || http.timeout().compareTo(MAX_TIMEOUT) > 0) {
                    throw new RegistryException.InvalidField(
                            "backend.timeoutMs", "The timeout is 1 ms to 5 minutes (300000 ms)");
                }
                if (http.maxResponseBytes() < 1 || http.maxResponseBytes() > MAX_RESPONSE_BYTES) {
                    throw new RegistryException.InvalidField(
                            "backend.maxResponseBytes", "The response cap is 1 byte to 64 MiB (67108864 bytes)");
                }
                String secret = http.bearerSecret();
                if (secret != null) {
                    PostgresMcpServers.secretName("backend.bearerSecret", secret);
                }
                governed(tool);
            }
        }
    }

    /** An MCP or HTTP tool's calls are decided on its data scopes and checked against its input schema. */
    private static void governed(Commands.SaveTool tool) {
        if (tool.dataScopes().isEmpty()) {
            throw new RegistryException.InvalidField(
                    "dataScopes", "An MCP or HTTP tool needs at least one data scope its calls are decided on");
        }
        objectSchema(tool.inputSchema());
    }

    private static void objectSchema(String schema) {
        if (schema.length() > MAX_SCHEMA_CHARS) {
            throw new RegistryException.InvalidField("inputSchema", "An input schema is at most 64 KiB");
        }
        JsonNode node;
        try {
            node = JSON.readTree(schema);
        } catch (JacksonException e) {
            throw new RegistryException.InvalidField("inputSchema", "The input schema is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new RegistryException.InvalidField("inputSchema", "The input schema is a JSON object");
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isString() || !"object".equals(type.asString())) {
            throw new RegistryException.InvalidField(
                    "inputSchema", "The input schema describes the arguments object: its \"type\" is \"object\"");
        }
        JsonNode properties = node.get("properties");
        if (properties != null && !properties.isObject()) {
            throw new RegistryException.InvalidField("inputSchema", "The schema's \"properties\" is an object");
        }
    }

    /** Where a tool's calls go, for the audit trail: names only, never a secret. */
    static String describe(ToolBackend target) {
        return switch (target) {
            case ToolBackend.Builtin builtin -> "BUILTIN " + builtin.service();
            case ToolBackend.Mcp mcp -> "MCP " + mcp.server() + "/" + mcp.upstreamTool();
            case ToolBackend.Http http ->
                "HTTP " + http.method() + " " + http.urlTemplate()
                        + (http.bearerSecret() == null ? "" : " bearerSecret=" + http.bearerSecret());
        };
    }
}
