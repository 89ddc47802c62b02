package io.warden.policy.internal;

import io.warden.policy.GatewayRequest;
import io.warden.registry.AgentId;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.DataScopeView;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RiskTier;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.ToolView;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The kill-switch self-test's canary: a system-owned agent whose only tool and data scope are the canary's own.
 * It lives in the gateway, not in the registry, so it is exempt from lifecycle rules, absent from inventories, and
 * cannot be called over the network: only {@link GatewayService#probe()} calls as it. Its calls pass the whole
 * pipeline (kill switches, limits, the decision, the audit) except the retrieval service, which a probe must not load.
 */
final class Canary {

    static final String CLIENT_ID = "warden-canary";
    static final String TOOL = "warden-canary";
    static final String DATASET = "warden-canary";
    static final String NAME = "Kill-switch self-test canary";
    static final AgentId AGENT_ID = new AgentId(UUID.fromString("00000000-0000-4000-8000-00000000c0de"));

    static final AgentView AGENT = new AgentView(
            AGENT_ID,
            NAME,
            AgentKind.RETRIEVAL,
            "Proves on every instance that a kill switch stops traffic",
            AgentStatus.ACTIVE,
            "system:warden",
            CLIENT_ID,
            null,
            RiskTier.LOW,
            new TreeSet<>(Set.of(DATASET)),
            new TreeSet<>(Set.of(TOOL)),
            new TreeSet<>(Set.of(PurposeOfUse.HSYSADMIN)),
            new TreeSet<>(),
            Instant.EPOCH,
            Instant.EPOCH,
            Instant.EPOCH,
            null,
            null,
            false,
            1);

    static final ToolView TOOL_VIEW = new ToolView(
            TOOL,
            NAME,
            "Answers nothing; the self-test's probe",
            "canary",
            new TreeSet<>(),
            1,
            SensitivityLabel.PUBLIC,
            false,
            1);

    static final DataScopeView DATASET_VIEW = new DataScopeView(
            DATASET,
            NAME,
            "Holds nothing",
            SensitivityLabel.PUBLIC,
            false,
            true,
            new TreeSet<>(Set.of(PurposeOfUse.HSYSADMIN)),
            new TreeSet<>(),
            false,
            1);

    static final GatewayRequest REQUEST =
            GatewayRequest.search(DATASET, DATASET, PurposeOfUse.HSYSADMIN.name(), "probe", null, 1, null);

    private Canary() {}
}
