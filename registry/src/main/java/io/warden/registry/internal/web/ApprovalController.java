package io.warden.registry.internal.web;

import io.warden.registry.Actor;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.ApprovalView;
import io.warden.registry.AgentRegistry;
import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Approvals: list, read, approve and reject, each decision with a reason. */
@RestController
@RequestMapping(path = "/api/v1/approvals", produces = "application/json")
class ApprovalController {

    private final AgentRegistry registry;

    ApprovalController(AgentRegistry registry) {
        this.registry = registry;
    }

    @GetMapping
    PageResponse<ApprovalView> list(
            @RequestParam(required = false) @Nullable ApprovalStatus status,
            @RequestParam(required = false) @Nullable String agentId,
            @RequestParam(required = false) @Nullable Integer page,
            @RequestParam(required = false) @Nullable Integer size) {
        return PageResponse.of(registry.approvals(status, agentId == null ? null : Ids.agent(agentId), page, size));
    }

    @GetMapping("/{id}")
    ApprovalView get(@PathVariable String id) {
        return registry.getApproval(Ids.approval(id));
    }

    @PostMapping(path = "/{id}/approve", consumes = "application/json")
    ApprovalView approve(@PathVariable String id, @RequestBody @Valid Requests.Reason request, Actor actor) {
        return registry.approve(Ids.approval(id), request.reason(), actor);
    }

    @PostMapping(path = "/{id}/reject", consumes = "application/json")
    ApprovalView reject(@PathVariable String id, @RequestBody @Valid Requests.Reason request, Actor actor) {
        return registry.reject(Ids.approval(id), request.reason(), actor);
    }
}
