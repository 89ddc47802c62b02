package io.warden.policy.internal;

import io.warden.policy.Decision;
import io.warden.policy.DecisionInput;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.policy.ReasonCodes;
import io.warden.registry.AgentStatus;
import io.warden.registry.PurposeOfUse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Warden's standard policy, in process and without I/O. Every rule is checked and every failure named, in
 * this order: kill switches; agent ACTIVE; owner active; tool granted; the tool's required scopes granted;
 * dataset within the granted scopes; sensitivity within the agent's clearance; dataset not above the tool's
 * sensitivity; PHI only where a compliance officer approved it for this agent and dataset; a purpose of use, one
 * the agent was granted, and one the dataset allows. An allowed call is capped at the tool's maximum k, limited to
 * the agent's datasets, de-identified where the scope demands it for the purpose, and has patient identifiers
 * redacted from PHI datasets unless the purpose is treatment.
 *
 * <p>On a person's behalf (an on-behalf-of token) the person must also hold the dataset, for the purpose, through
 * the directory-group mapping. Emergency treatment (ETREAT, break-the-glass) replaces that check with its own: a
 * written justification, on behalf of a person in a break-glass group (and, as every purpose, granted to the agent);
 * an allowed one carries the break-glass obligation. A tool or dataset marked for per-call approval carries the
 * approval obligation unless the call presents a valid approval of its arguments. Stateless and thread-safe.
 */
public final class EmbeddedPolicyDecisionPoint implements PolicyDecisionPoint {

    /** Identifiers removed from PHI results outside treatment. */
    static final List<String> PATIENT_IDENTIFIERS =
            List.of("patient_id", "patient_name", "birth_date", "accession_number");

    @Override
    public Decision decide(DecisionInput input) {
        List<String> reasons = new ArrayList<>();
        var switches = input.killSwitches();
        if (switches.global() || switches.agent() || switches.tool() || switches.dataset()) {
            reasons.add(ReasonCodes.KILL_SWITCH);
        }
        var agent = input.agent();
        if (agent.status() == AgentStatus.SUSPENDED) {
            reasons.add(ReasonCodes.AGENT_SUSPENDED);
        } else if (agent.status() == AgentStatus.RETIRED) {
            reasons.add(ReasonCodes.AGENT_RETIRED);
        } else if (agent.status() != AgentStatus.ACTIVE) {
            reasons.add(ReasonCodes.AGENT_NOT_ACTIVE);
        }
        if (!agent.ownerActive()) {
            reasons.add(ReasonCodes.OWNER_INACTIVE);
        }
        var tool = input.tool();
        if (!agent.tools().contains(tool.key())) {
            reasons.add(ReasonCodes.TOOL_NOT_GRANTED);
        }
        if (!agent.scopes().containsAll(tool.requiredScopes())) {
            reasons.add(ReasonCodes.REQUIRED_SCOPE_NOT_GRANTED);
        }
        var dataset = input.dataset();
        if (!agent.scopes().contains(dataset.key())) {
            reasons.add(ReasonCodes.SCOPE_NOT_GRANTED);
        }
        if (!agent.clearance().atLeast(dataset.sensitivity())) {
            reasons.add(ReasonCodes.SENSITIVITY_ABOVE_CLEARANCE);
        }
        if (!tool.sensitivity().atLeast(dataset.sensitivity())) {
            reasons.add(ReasonCodes.DATASET_ABOVE_TOOL_SENSITIVITY);
        }
        if (dataset.phi() && !agent.phiApproved()) {
            reasons.add(ReasonCodes.PHI_NOT_APPROVED);
        }
        PurposeOfUse purpose = input.purposeOfUse();
        if (purpose == null) {
            reasons.add(ReasonCodes.PURPOSE_REQUIRED);
        } else {
            if (!agent.purposes().contains(purpose)) {
                reasons.add(ReasonCodes.PURPOSE_NOT_GRANTED);
            }
            if (!dataset.allowedPurposes().contains(purpose)) {
                reasons.add(ReasonCodes.PURPOSE_NOT_ALLOWED);
            }
        }
        var person = input.person();
        // on a person's behalf the call is decided on their entitlements too; emergency treatment has its own rules
        if (person != null && purpose != PurposeOfUse.ETREAT) {
            Set<PurposeOfUse> held = person.entitlements().get(dataset.key());
            if (held == null || held.isEmpty()) {
                reasons.add(ReasonCodes.PERSON_SCOPE_NOT_ENTITLED);
            } else if (purpose != null && !held.contains(purpose)) {
                reasons.add(ReasonCodes.PERSON_PURPOSE_NOT_ENTITLED);
            }
        }
        if (purpose == PurposeOfUse.ETREAT) {
            String justification = input.request().justification();
            if (justification == null || justification.isBlank()) {
                reasons.add(ReasonCodes.BREAK_GLASS_JUSTIFICATION_REQUIRED);
            }
            if (person == null) {
                reasons.add(ReasonCodes.BREAK_GLASS_PERSON_REQUIRED);
            } else if (!person.breakGlass()) {
                reasons.add(ReasonCodes.BREAK_GLASS_NOT_PERMITTED);
            }
        }
        if (!reasons.isEmpty()) {
            return new Decision(false, reasons, Decision.Obligations.none(), null);
        }
        boolean treatment = purpose == PurposeOfUse.TREAT || purpose == PurposeOfUse.ETREAT;
        List<String> redact = dataset.phi() && !treatment ? PATIENT_IDENTIFIERS : List.of();
        List<String> datasets = agent.scopes().stream().sorted().toList();
        boolean approval = (tool.approvalRequired() || dataset.approvalRequired())
                && !input.request().approved();
        return new Decision(
                true,
                List.of(),
                new Decision.Obligations(
                        tool.maxK(),
                        datasets,
                        redact,
                        dataset.deidentifyFor().contains(purpose),
                        approval,
                        purpose == PurposeOfUse.ETREAT),
                null);
    }
}
