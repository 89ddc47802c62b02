package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.KillSwitchRefused;
import io.warden.policy.SelfTest;
import java.security.Principal;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The kill-switch self-test: {@code POST /api/v1/kill-switches/self-test} runs one now (a few hundred
 * milliseconds) and answers its result, passed or not, with every live instance's timings; {@code GET
 * /api/v1/kill-switches/self-tests} lists the recent runs. Security operations and admins (the role rules are the
 * application's); a second run while one is going is refused with 409 {@code self-test-running}.
 */
@Tag(name = "Kill switches")
@RestController
@RequestMapping(path = "/api/v1/kill-switches", produces = "application/json")
class SelfTestController {

    private final SelfTest selfTest;

    SelfTestController(SelfTest selfTest) {
        this.selfTest = selfTest;
    }

    @Operation(
            operationId = "runKillSwitchSelfTest",
            summary = "Run the kill-switch self-test now and answer its result")
    @ApiResponse(
            responseCode = "200",
            description = "The run's result, passed or not, with every live instance's timings",
            useReturnTypeSchema = true)
    @ApiResponse(responseCode = "409", ref = "Conflict")
    @PostMapping("/self-test")
    SelfTest.Result run(Principal principal) {
        return selfTest.run(principal.getName());
    }

    @Operation(operationId = "listKillSwitchSelfTests", summary = "List the recent self-test runs")
    @GetMapping("/self-tests")
    List<SelfTest.Result> recent(@RequestParam(defaultValue = "10") int limit) {
        if (limit < 1 || limit > 100) {
            throw new KillSwitchRefused(
                    "invalid-limit", ProblemKind.INVALID, "limit", "limit must be between 1 and 100, got " + limit);
        }
        return selfTest.recent(limit);
    }
}
