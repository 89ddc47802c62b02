package io.warden.policy;

import java.util.List;

/**
 * The one governed pipeline every tool call passes, whichever edge it came in by (REST at {@code /gateway},
 * MCP at {@code /mcp}) and whichever backend answers it (built-in retrieval, an upstream MCP server, an HTTP
 * API): the agent behind the token, kill switches, limits, the policy decision on a data scope and a purpose,
 * the durable decision record, the backend call with a deadline, obligations on the result, the outcome record.
 * Thread-safe.
 */
public interface ToolGateway {

    /**
     * The tools this agent may call now: granted to it, and covered by no kill switch. An unknown client, or
     * an agent that may not call anything (not active, owner gone), gets none.
     */
    List<GrantedTool> toolsFor(String clientId);

    /** Whether {@link #toolsFor} would list this tool for this agent now, without building the listing. */
    boolean visible(String clientId, String tool);

    /**
     * Decides, records and forwards one call.
     *
     * @throws GatewayDenied when the call is refused or cannot be completed (each edge maps its kind and
     *                       reasons to its own error); nothing was forwarded without its decision record
     */
    ToolOutcome call(ToolCall call);

    /** Runs {@code listener} whenever the tools some agent may call could have changed (grants, kill switches). */
    void onToolsChanged(Runnable listener);
}
