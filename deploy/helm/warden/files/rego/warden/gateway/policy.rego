# Warden's standard gateway policy, for an Open Policy Agent sidecar (Rego v1, OPA 1.x).
# It is the same policy as EmbeddedPolicyDecisionPoint; both are checked against
# policy/src/test/resources/decisions.json (input version 3). Query: POST /v1/data/warden/gateway/decision {"input": ...}.
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
	"PERSON_SCOPE_NOT_ENTITLED",
	"PERSON_PURPOSE_NOT_ENTITLED",
	"BREAK_GLASS_JUSTIFICATION_REQUIRED",
	"BREAK_GLASS_PERSON_REQUIRED",
	"BREAK_GLASS_NOT_PERMITTED",
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

# On a person's behalf (an on-behalf-of token) the person must hold the dataset, for the purpose, through the
# directory-group mapping; emergency treatment (ETREAT) has its own rules below instead.
person_present if {
	input.person != null
	is_object(input.person)
}

emergency if input.purposeOfUse == "ETREAT"

person_purposes := object.get(object.get(input.person, "entitlements", {}), input.dataset.key, []) if person_present

failed contains "PERSON_SCOPE_NOT_ENTITLED" if {
	person_present
	not emergency
	count(person_purposes) == 0
}

failed contains "PERSON_PURPOSE_NOT_ENTITLED" if {
	person_present
	not emergency
	count(person_purposes) > 0
	not purpose_missing
	not input.purposeOfUse in person_purposes
}

justified if {
	is_string(input.request.justification)
	trim_space(input.request.justification) != ""
}

failed contains "BREAK_GLASS_JUSTIFICATION_REQUIRED" if {
	emergency
	not justified
}

failed contains "BREAK_GLASS_PERSON_REQUIRED" if {
	emergency
	not person_present
}

failed contains "BREAK_GLASS_NOT_PERMITTED" if {
	emergency
	person_present
	object.get(input.person, "breakGlass", false) != true
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

# A tool or dataset marked for per-call approval parks the call until a person approves its exact arguments.
default approval_required := false

approval_required if {
	some marked in [object.get(input.tool, "approvalRequired", false), object.get(input.dataset, "approvalRequired", false)]
	marked == true
	object.get(input.request, "approved", false) != true
}

# The gateway refuses a decision from a bundle of another version (the input and its rules changed with it).
policy_version := 3

default emergency_granted := false

emergency_granted if emergency

decision := {
	"policyVersion": policy_version,
	"allow": false,
	"reasons": reasons,
	"obligations": {
		"maxK": 0, "datasets": [], "redactFields": [], "deidentificationRequired": false,
		"approvalRequired": false, "breakGlass": false,
	},
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
		"approvalRequired": approval_required,
		"breakGlass": emergency_granted,
	},
}
