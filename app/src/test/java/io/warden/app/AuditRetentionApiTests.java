package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Legal holds and retention removals over HTTP: who may do what, what is recorded, and what hostile input gets. The
 * shared trail here is young, so nothing is removable (the full archive-approve-remove run is RetentionTests', on a
 * trail written a long time ago).
 */
class AuditRetentionApiTests extends IntegrationTest {

    @Test
    void complianceAloneHoldsAndTheHoldIsRecordedAndReleased() {
        String body = "{\"agentId\":\"demo-retrieval-agent\",\"reason\":\"matter 2026-17\"}";
        assertThat(client.call("POST", "/api/v1/audit/legal-holds", admin(), body)
                        .status())
                .isEqualTo(403);
        assertThat(client.call("POST", "/api/v1/audit/legal-holds", secops(), body)
                        .status())
                .isEqualTo(403);
        assertThat(client.get("/api/v1/audit/legal-holds", admin()).status()).isEqualTo(403);

        WardenClient.Response placed = client.call("POST", "/api/v1/audit/legal-holds", compliance(), body);
        assertThat(placed.status()).as(placed.body()).isEqualTo(201);
        String id = placed.json().get("id").asString();
        JsonNode listed = client.get("/api/v1/audit/legal-holds", compliance()).json();
        assertThat(listed.get("items").toString()).contains(id);
        JsonNode recorded = client.get("/api/v1/audit/events?action=audit.legal_hold.placed", compliance())
                .json();
        assertThat(recorded.get("items").toString()).contains(id);

        assertThat(client.call("POST", "/api/v1/audit/legal-holds/" + id + "/release", compliance(), null)
                        .status())
                .isEqualTo(200);
        WardenClient.Response again =
                client.call("POST", "/api/v1/audit/legal-holds/" + id + "/release", compliance(), null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("code").asString()).isEqualTo("hold-released");
    }

    @Test
    void aHoldThatNamesNothingOrAnInvertedRangeIsRefusedNamingTheField() {
        WardenClient.Response nothing =
                client.call("POST", "/api/v1/audit/legal-holds", compliance(), "{\"reason\":\"x\"}");
        assertThat(nothing.status()).isEqualTo(400);
        assertThat(nothing.body()).contains("agentId");
        WardenClient.Response inverted = client.call(
                "POST",
                "/api/v1/audit/legal-holds",
                compliance(),
                "{\"fromSequence\":9,\"toSequence\":3,\"reason\":\"x\"}");
        assertThat(inverted.status()).isEqualTo(400);
        assertThat(inverted.body()).contains("fromSequence");
        WardenClient.Response noReason =
                client.call("POST", "/api/v1/audit/legal-holds", compliance(), "{\"agentId\":\"a\"}");
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.body()).contains("reason");
        assertThat(client.call("POST", "/api/v1/audit/legal-holds/not-a-uuid/release", compliance(), null)
                        .status())
                .isEqualTo(400);
    }

    @Test
    void removalsAreAskedByAdminOrComplianceAndNothingYoungIsArchived() {
        assertThat(client.call("POST", "/api/v1/audit/removals", secops(), null).status())
                .isEqualTo(403);
        assertThat(client.call("POST", "/api/v1/audit/removals", owner(), null).status())
                .isEqualTo(403);
        WardenClient.Response asked = client.call("POST", "/api/v1/audit/removals", admin(), null);
        assertThat(asked.status()).as(asked.body()).isEqualTo(409);
        assertThat(asked.json().get("code").asString()).isEqualTo("nothing-expired");
        assertThat(client.call(
                                "POST",
                                "/api/v1/audit/removals/00000000-0000-0000-0000-000000000000/approve",
                                admin(),
                                null)
                        .status())
                .isEqualTo(403);
        assertThat(client.call(
                                "POST",
                                "/api/v1/audit/removals/00000000-0000-0000-0000-000000000000/approve",
                                compliance(),
                                null)
                        .status())
                .isEqualTo(404);
        assertThat(client.get("/api/v1/audit/removals", compliance()).status()).isEqualTo(200);
    }
}
