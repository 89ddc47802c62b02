# Warden's standard gateway policy, for an Open Policy Agent sidecar (Rego v1, OPA 1.x).
# It is the same policy as EmbeddedPolicyDecisionPoint; both are checked against
# policy/src/test/resources/decisions.json (input version 2). Query: POST /v1/data/warden/gateway/decision {"input": ...}.
package warden.gateway

# Reason codes in the order the rules are checked; a deny names every rule that failed.
rule_order := [
	"KILL_SWITCH",
	"AGENT_SUSPENDED",
	"AGENT_RETIRED",
	"AGENT_NOT_ACTIVE",
	"OWNER_INACTIVE",
	"TOOL_NOT_GRANTED",
	"REQUIRED_SCOPE_NOT_GRANTED",
	"SCOPE_NOT_GRANTED",
	"SENSITIVITY_ABOVE_CLEARANCE",
	"DATASET_ABOVE_TOOL_SENSITIVITY",
	"PHI_NOT_APPROVED",
	"PURPOSE_REQUIRED",
	"PURPOSE_NOT_GRANTED",
	"PURPOSE_NOT_ALLOWED",
]

levels := {"PUBLIC": 0, "INTERNAL": 1, "CONFIDENTIAL": 2, "HIGHLY_CONFIDENTIAL": 3}

patient_identifiers := ["patient_id", "patient_name", "birth_date", "accession_number"]

failed contains "KILL_SWITCH" if {
	some switch in ["global", "agent", "tool", "dataset"]
	input.killSwitches[switch] == true
}

failed contains "AGENT_SUSPENDED" if input.agent.status == "SUSPENDED"

failed contains "AGENT_RETIRED" if input.agent.status == "RETIRED"

failed contains "AGENT_NOT_ACTIVE" if not input.agent.status in {"ACTIVE", "SUSPENDED", "RETIRED"}

failed contains "OWNER_INACTIVE" if object.get(input.agent, "ownerActive", false) != true

failed contains "TOOL_NOT_GRANTED" if not input.tool.key in input.agent.tools

failed contains "REQUIRED_SCOPE_NOT_GRANTED" if {
	some scope in object.get(input.tool, "requiredScopes", [])
	not scope in input.agent.scopes
}

failed contains "SCOPE_NOT_GRANTED" if not input.dataset.key in input.agent.scopes

failed contains "SENSITIVITY_ABOVE_CLEARANCE" if levels[input.dataset.sensitivity] > levels[input.agent.clearance]

# A tool without a sensitivity (an input older than version 2) serves nothing: fail closed.
failed contains "DATASET_ABOVE_TOOL_SENSITIVITY" if not levels[input.dataset.sensitivity] <= levels[object.get(input.tool, "sensitivity", "none")]

failed contains "PHI_NOT_APPROVED" if {
	input.dataset.phi == true
	object.get(input.agent, "phiApproved", false) != true
}

purpose_missing if not input.purposeOfUse

purpose_missing if input.purposeOfUse == null

failed contains "PURPOSE_REQUIRED" if purpose_missing

failed contains "PURPOSE_NOT_GRANTED" if {
	not purpose_missing
	not input.purposeOfUse in object.get(input.agent, "purposes", [])
}

failed contains "PURPOSE_NOT_ALLOWED" if {
	not purpose_missing
	not input.purposeOfUse in input.dataset.allowedPurposes
}

reasons := [code | some code in rule_order; code in failed]

treatment if input.purposeOfUse in {"TREAT", "ETREAT"}

redact := patient_identifiers if {
	input.dataset.phi == true
	not treatment
} else := []

# The scope serves de-identified records only for these purposes (e.g. research).
default deidentification_required := false

deidentification_required if input.purposeOfUse in object.get(input.dataset, "deidentifyFor", [])

# The gateway refuses a decision from a bundle of another version (the input and its rules changed with it).
policy_version := 2

decision := {
	"policyVersion": policy_version,
	"allow": false,
	"reasons": reasons,
	"obligations": {"maxK": 0, "datasets": [], "redactFields": [], "deidentificationRequired": false},
} if {
	count(reasons) > 0
} else := {
	"policyVersion": policy_version,
	"allow": true,
	"reasons": [],
	"obligations": {
		"maxK": input.tool.maxK,
		"datasets": sort(input.agent.scopes),
		"redactFields": redact,
		"deidentificationRequired": deidentification_required,
	},
}
