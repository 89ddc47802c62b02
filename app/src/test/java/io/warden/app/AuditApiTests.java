package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.warden.audit.ExportFormat;
import io.warden.audit.ExportVerifier;
import io.warden.audit.internal.AuditExporter;
import io.warden.audit.internal.SigningKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The audit trail through the API: registry changes recorded, verification, keys and bad input. */
class AuditApiTests extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void registryChangesAreRecordedWithTheirActors() {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"Audit trail agent","kind":"RETRIEVAL","purpose":"p","dataScopes":["imaging-ct-deid"]}""");
        String id = registered.json().get("id").asString();
        String approval = client.get("/api/v1/approvals?agentId=" + id, admin())
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();
        client.call("POST", "/api/v1/approvals/" + approval + "/approve", admin(), "{\"reason\":\"ok\"}");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode items = client.get("/api/v1/audit/events?agent=" + id + "&limit=20", compliance())
                    .json()
                    .get("items");
            assertThat(items)
                    .extracting(item -> item.get("action").asString())
                    .contains(
                            "agent.registered",
                            "agent.status_changed",
                            "approval.requested",
                            "approval.decided",
                            "agent.grants_changed");
        });
        JsonNode decided = client.get("/api/v1/audit/events?agent=" + id + "&action=approval.decided", compliance())
                .json()
                .get("items")
                .get(0);
        assertThat(decided.get("actor").get("id").asString()).isEqualTo("3f1c2a9e-7b1d-4e0a-9c11-000000000a01");
        assertThat(decided.get("details").get("decision").asString()).isEqualTo("APPROVED");
        assertThat(decided.get("hash").asString()).matches("[0-9a-f]{64}");
    }

    @Test
    void theWholeTrailVerifies() {
        long head = head();
        JsonNode verification = client.get("/api/v1/audit/verify?from=1&to=" + head, compliance())
                .json();
        assertThat(verification.get("valid").asBoolean())
                .as(verification.toString())
                .isTrue();
        assertThat(verification.get("eventsChecked").asLong()).isGreaterThanOrEqualTo(head);
    }

    @Test
    void anExportVerifiesOfflineWithTheServedKeysAndIsItselfAudited() throws Exception {
        long head = head();
        var export = client.call(
                "GET",
                "/api/v1/audit/exports?format=fhir-ndjson&from=1&to=" + head,
                compliance(),
                null,
                Map.of("Accept", "*/*"));
        assertThat(export.status()).as(export.body()).isEqualTo(200);
        assertThat(export.contentType()).startsWith("application/fhir+ndjson");
        assertThat(export.header("Content-Disposition")).contains("attachment");
        Path keys = Files.createTempFile("warden-keys", ".json");
        Files.writeString(keys, client.get("/api/v1/audit/keys", compliance()).body());
        var verification = ExportVerifier.verify(new StringReader(export.body()), ExportVerifier.readKeys(keys));
        assertThat(verification.valid()).as("%s", verification).isTrue();
        assertThat(verification.eventsChecked()).isGreaterThanOrEqualTo(head);

        JsonNode exported = client.get("/api/v1/audit/events?action=audit.exported&limit=5", admin())
                .json()
                .get("items");
        assertThat(exported).anySatisfy(item -> {
            assertThat(item.get("actor").get("id").asString()).isEqualTo("3f1c2a9e-7b1d-4e0a-9c11-000000000a04");
            assertThat(item.get("details").get("format").asString()).isEqualTo("fhir-ndjson");
        });
    }

    @Test
    void theApplicationRoleMayOnlyReadAndAppendTheTrail() {
        var privileges = jdbc.sql("""
                select current_user,
                       has_table_privilege('audit_event', 'SELECT'), has_table_privilege('audit_event', 'INSERT'),
                       has_table_privilege('audit_event', 'UPDATE'), has_table_privilege('audit_event', 'DELETE'),
                       has_table_privilege('audit_event', 'TRUNCATE'), has_table_privilege('audit_checkpoint', 'UPDATE'),
                       has_table_privilege('agent', 'UPDATE')""")
                .query((rs, row) -> List.of(
                        rs.getString(1),
                        rs.getBoolean(2),
                        rs.getBoolean(3),
                        rs.getBoolean(4),
                        rs.getBoolean(5),
                        rs.getBoolean(6),
                        rs.getBoolean(7),
                        rs.getBoolean(8)))
                .single();
        assertThat(privileges).containsExactly("warden_app", true, true, false, false, false, false, true);
    }

    @Autowired
    @FlywayDataSource
    DataSource owner;

    @Autowired
    DataSource dataSource;

    /** Threat: the application's database credentials are used to plant a checkpoint key. */
    @Test
    void theApplicationRoleCannotPlantAKey() throws Exception {
        var planted = SigningKeys.generatedIn(Files.createTempDirectory("warden-planted-key"));
        assertThat(jdbc.sql(
                                "select has_table_privilege('audit_signing_key', 'INSERT') or "
                                        + "has_table_privilege('audit_signing_key', 'UPDATE') or has_table_privilege('audit_signing_key', 'DELETE')")
                        .query(Boolean.class)
                        .single())
                .isFalse();
        Assertions.assertThatThrownBy(() -> jdbc.sql("""
                        insert into audit_signing_key (key_id, algorithm, public_key, created_at)
                        values (?, 'Ed25519', ?, now())""")
                        .params(planted.keyId(), planted.publicKey().getEncoded())
                        .update())
                .rootCause()
                .hasMessageContaining("permission denied for table audit_signing_key");
    }

    /**
     * Threat: a key that got into the key table anyway (the schema owner, a restored backup) signs a forged
     * export, and the README's flow ({@code /audit/keys}, then {@code verify-export}) must not call it valid.
     */
    @Test
    void aPlantedKeyDoesNotMakeAForgedExportVerify() throws Exception {
        var planted = SigningKeys.generatedIn(Files.createTempDirectory("warden-planted-key"));
        JdbcClient.create(owner)
                .sql("""
                        insert into audit_signing_key (key_id, algorithm, public_key, created_at)
                        values (?, 'Ed25519', ?, now())""")
                .params(planted.keyId(), planted.publicKey().getEncoded())
                .update();
        long head = head();
        var forged = new ByteArrayOutputStream();
        new AuditExporter(dataSource, planted).export(ExportFormat.NDJSON, 1, head, forged);

        String served = client.get("/api/v1/audit/keys", compliance()).body();
        assertThat(served).doesNotContain(planted.keyId());
        Path keys = Files.createTempFile("warden-keys", ".json");
        Files.writeString(keys, served);
        Path file = Files.createTempFile("warden-forged", ".ndjson");
        Files.write(file, forged.toByteArray());
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        int status = ExportVerifier.run(
                new String[] {"--keys", keys.toString(), file.toString()}, new PrintStream(out), new PrintStream(err));
        assertThat(status).as(out.toString()).isEqualTo(1);
        assertThat(out.toString()).startsWith("INVALID");
        // the same flow with the key a served row would have added verifies, so the refusal above is the key's
        Path plantedPem = Files.createTempFile("warden-planted", ".pem");
        Files.writeString(
                plantedPem, SigningKeys.toPem("PUBLIC KEY", planted.publicKey().getEncoded()));
        out.reset();
        assertThat(ExportVerifier.run(
                        new String[] {"--keys", keys.toString(), "--public-key", plantedPem.toString(), file.toString()
                        },
                        new PrintStream(out),
                        new PrintStream(err)))
                .as(out.toString())
                .isZero();
    }

    @Test
    void servedKeysCarryTheFingerprintThatVerifyExportPins() {
        JsonNode key =
                client.get("/api/v1/audit/keys", admin()).json().get("keys").get(0);
        assertThat(key.get("fingerprint").asString()).matches("sha256:[0-9a-f]{64}");
    }

    @Test
    void keysAreServedAsOkpJwks() {
        JsonNode keys = client.get("/api/v1/audit/keys", admin()).json().get("keys");
        assertThat(keys).isNotEmpty();
        assertThat(keys.get(0).get("kty").asString()).isEqualTo("OKP");
        assertThat(keys.get(0).get("crv").asString()).isEqualTo("Ed25519");
        assertThat(keys.get(0).get("x").asString()).hasSize(43);
    }

    @Test
    void badQueriesAreProblemsNamingTheField() {
        long head = head();
        problem(client.get("/api/v1/audit/events?colour=red", admin()), "colour");
        problem(client.get("/api/v1/audit/events?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z", admin()), "from");
        problem(client.get("/api/v1/audit/events?from=yesterday", admin()), "from");
        problem(client.get("/api/v1/audit/events?limit=5000", admin()), "limit");
        problem(client.get("/api/v1/audit/verify?from=1", admin()), "to");
        problem(client.get("/api/v1/audit/verify?from=5&to=2", admin()), "from");
        problem(client.get("/api/v1/audit/verify?from=0&to=2", admin()), "from");
        problem(client.get("/api/v1/audit/verify?from=1&to=" + (head + 1000), admin()), "to");
    }

    private static long head() {
        JsonNode items =
                client.get("/api/v1/audit/events?limit=1", admin()).json().get("items");
        return items.isEmpty() ? 0 : items.get(0).get("sequence").asLong();
    }

    private static void problem(WardenClient.Response response, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("field").asString()).isEqualTo(field);
    }
}
