/**
 * Warden as an MCP server at {@code /mcp} (Streamable HTTP, the MCP Java SDK's stateful transport; protocol
 * 2025-11-25, and 2025-06-18 for clients that ask for it), built only on the {@link io.warden.policy.ToolGateway}
 * port.
 *
 * <p>How a request flows: Spring Security authenticates the agent's bearer token (the app's security chain);
 * {@link io.warden.policy.internal.mcp.McpEndpoint} checks the session belongs to that agent, reads the body once
 * and watches for {@code notifications/cancelled}; the SDK's transport parses the JSON-RPC message;
 * {@link io.warden.policy.internal.mcp.GovernedTools} gives the caller its tools ({@code toolsFor}) and sends each
 * call through the gateway ({@code call}); {@link io.warden.policy.internal.mcp.ToolListNotifier} tells this
 * instance's sessions when tools may have changed. Sessions live on the instance that opened them: a load balancer
 * routes by the {@code Mcp-Session-Id} header, and an instance that does not know a session answers 404, after
 * which the client opens a new one.
 */
@NullMarked
package io.warden.policy.internal.mcp;

import org.jspecify.annotations.NullMarked;
