# Rego tests: every decision vector of policy/src/test/resources/decisions.json (loaded as data), and a few
# named cases. Run: opa test -v policy/rego policy/src/test/resources/decisions.json
package warden.gateway_test

import data.warden.gateway

test_every_decision_vector if {
	count(data.cases) >= 88
	every vector in data.cases {
		object.remove(gateway.decision, ["policyVersion"]) == vector.expected with input as vector.input
	}
}

test_active_agent_allowed_with_obligations if {
	base := data.cases[0].input
	d := gateway.decision with input as base
	d.allow == true
	d.obligations.maxK == base.tool.maxK
}

test_kill_switch_denies if {
	changed := json.patch(data.cases[0].input, [{"op": "replace", "path": "/killSwitches/agent", "value": true}])
	d := gateway.decision with input as changed
	d.allow == false
	d.reasons == ["KILL_SWITCH"]
}

test_missing_purpose_field_is_required if {
	changed := json.remove(data.cases[0].input, ["purposeOfUse"])
	d := gateway.decision with input as changed
	d.reasons == ["PURPOSE_REQUIRED"]
}

test_required_scope_missing_denies if {
	changed := json.patch(data.cases[0].input, [{"op": "replace", "path": "/tool/requiredScopes", "value": ["elsewhere"]}])
	d := gateway.decision with input as changed
	d.reasons == ["REQUIRED_SCOPE_NOT_GRANTED"]
}

test_tool_without_sensitivity_fails_closed if {
	changed := json.remove(data.cases[0].input, ["tool/sensitivity"])
	d := gateway.decision with input as changed
	d.allow == false
}

test_purpose_must_be_granted if {
	changed := json.patch(data.cases[0].input, [{"op": "replace", "path": "/agent/purposes", "value": []}])
	d := gateway.decision with input as changed
	d.reasons == ["PURPOSE_NOT_GRANTED"]
}

test_decision_names_its_policy_version if {
	d := gateway.decision with input as data.cases[0].input
	d.policyVersion == 2
}
