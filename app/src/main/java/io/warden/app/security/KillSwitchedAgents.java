package io.warden.app.security;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.problem.ProblemKind;
import io.warden.audit.problem.Problems;
import io.warden.policy.KillSwitches;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * An agent under a GLOBAL or AGENT kill switch is refused on the management API too (reading its credentials,
 * registering a certificate for itself) and at {@code /mcp} (sessions, tool lists), not only at the gateway: a switch stops everything the agent's token can
 * do, in the window before the incident suspends it and its identity. Tool and dataset switches are the gateway's
 * (they cover calls with that tool or on that dataset). The refusal is audited; the check reads this instance's
 * in-memory view of the switches, which every engagement reaches before it is confirmed.
 */
final class KillSwitchedAgents extends OncePerRequestFilter {

    private final KillSwitches killSwitches;
    private final AuditLog audit;
    private final JsonMapper json;

    KillSwitchedAgents(KillSwitches killSwitches, AuditLog audit, JsonMapper json) {
        this.killSwitches = killSwitches;
        this.audit = audit;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        // the MCP server too: a switched-off agent may not open a session or list tools, as it may not call them
        return !request.getRequestURI().startsWith("/api/")
                && !request.getRequestURI().equals("/mcp");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        if (caller == null
                || caller.getAuthorities().stream()
                        .noneMatch(a -> TokenAuthenticationConverter.AGENT.equals(a.getAuthority()))) {
            chain.doFilter(request, response);
            return;
        }
        String clientId = caller.getName();
        KillSwitches.Covered covered = killSwitches.covers(clientId, "", "");
        if (!covered.global() && !covered.agent()) {
            chain.doFilter(request, response);
            return;
        }
        String reason = covered.global() ? "kill-switch-global" : "kill-switch-agent";
        audit.append(AuditEvent.builder(
                        "api.refused",
                        AuditActor.agent(clientId, null),
                        new AuditTarget("endpoint", request.getMethod() + " " + request.getRequestURI()))
                .decision("DENY")
                .reason(reason)
                .build());
        Problems.write(
                response,
                Problems.of(
                        ProblemKind.FORBIDDEN,
                        "kill-switch-engaged",
                        "A kill switch covers this agent: every call it makes is refused until the switch is released",
                        null),
                json);
    }
}
