package io.warden.policy.internal.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.warden.audit.problem.ProblemKind;
import io.warden.policy.PolicyData;
import io.warden.policy.PolicyVersionRefused;
import io.warden.policy.PolicyVersions;
import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The policy data versions: what the rules of data scopes and tools were at each change, for the people who answer
 * for decisions (admins and compliance; the role rule is in the app's security configuration). Reads only; a
 * version's number is what decision records name as {@code policyData}.
 */
@Tag(
        name = "Policy versions",
        description = "The versions of the policy data (the rules of data scopes and tools) that decisions name")
@RestController
@RequestMapping(path = "/api/v1/policy/versions", produces = "application/json")
class PolicyVersionController {

    private static final int DEFAULT_PAGE = 20;

    private final PolicyVersions versions;

    PolicyVersionController(PolicyVersions versions) {
        this.versions = versions;
    }

    @Operation(
            operationId = "listPolicyVersions",
            summary = "List policy data versions, newest first, with what each changed")
    @ApiResponse(responseCode = "200", description = "A page of versions", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", ref = "BadRequest")
    @GetMapping
    PolicyVersions.Page list(
            @RequestParam(required = false) @Nullable Long before,
            @RequestParam(required = false) @Nullable Integer limit) {
        int size = limit == null ? DEFAULT_PAGE : limit;
        if (size < 1 || size > PolicyVersions.MAX_PAGE) {
            throw invalid("limit", "limit is 1 to " + PolicyVersions.MAX_PAGE);
        }
        if (before != null && before < 1) {
            throw invalid("before", "before is a version number above 0");
        }
        return versions.page(before, size);
    }

    @Operation(operationId = "currentPolicyVersion", summary = "The newest policy data version")
    @ApiResponse(responseCode = "200", description = "The rules in force", useReturnTypeSchema = true)
    @GetMapping("/current")
    PolicyData current() {
        return versions.current();
    }

    @Operation(operationId = "getPolicyVersion", summary = "One policy data version: the rules as they were")
    @ApiResponse(responseCode = "200", description = "The version", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", ref = "BadRequest")
    @ApiResponse(responseCode = "404", ref = "NotFound")
    @GetMapping("/{version}")
    PolicyData version(@PathVariable long version) {
        if (version < 0) {
            throw invalid("version", "A version is a number, 0 or above");
        }
        return versions.version(version)
                .orElseThrow(() -> new PolicyVersionRefused(
                        "policy-version-not-found", ProblemKind.NOT_FOUND, null, "No policy data version " + version));
    }

    private static PolicyVersionRefused invalid(String field, String message) {
        return new PolicyVersionRefused("invalid-field", ProblemKind.INVALID, field, message);
    }
}
