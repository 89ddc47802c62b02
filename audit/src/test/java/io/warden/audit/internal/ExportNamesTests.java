package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.audit.AuditNames;
import io.warden.audit.ExportFormat;
import io.warden.audit.ExportVerifier;
import io.warden.audit.Verification;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The readable names an export writes beside each record: there for people, ignored by the verifier. */
class ExportNamesTests {

    @TempDir
    Path keys;

    AuditDatabase database;
    PostgresAuditLog log;
    SigningKeys.SigningKey key;

    /** Directory and registry as a fake: person-N is "Person N", agent-N is "Agent N"; counts every question. */
    final AtomicInteger asked = new AtomicInteger();

    final AuditNames names = new AuditNames() {
        @Override
        public @Nullable String person(String id) {
            asked.incrementAndGet();
            return id.startsWith("person-") || id.startsWith("owner-")
                    ? "Person " + id.substring(id.indexOf('-') + 1)
                    : null;
        }

        @Override
        public @Nullable String agent(String id) {
            asked.incrementAndGet();
            return switch (id) {
                case "agent-7" -> "=HYPERLINK(\"http://attacker.example\")";
                case "agent-8" -> "Two\r\nlines";
                default -> "Agent " + id.substring(6);
            };
        }
    };

    @BeforeEach
    void start() {
        database = new AuditDatabase();
        key = SigningKeys.generatedIn(keys);
        log = PostgresAuditLogTests.newLog(database, key);
        log.start();
        for (int i = 1; i <= 25; i++) {
            log.append(PostgresAuditLogTests.event(i));
        }
    }

    @AfterEach
    void stop() {
        log.stop();
    }

    Map<String, PublicKey> trusted() {
        return Map.of(key.keyId(), key.publicKey());
    }

    String export(AuditNames with, ExportFormat format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new AuditExporter(database.dataSource, key, with).export(format, 1, 25, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void csvRowsNameThePersonTheAgentAndTheOwnerAndStillVerify() throws Exception {
        String csv = export(names, ExportFormat.CSV);
        List<String> rows = csv.lines().toList();
        List<String> header = Arrays.asList(rows.getFirst().split(","));
        assertThat(header).endsWith("actor_name", "agent_name", "owner_name");
        String row4 =
                rows.stream().filter(r -> r.startsWith("event,4,")).findFirst().orElseThrow();
        assertThat(row4).endsWith(",Person 1,Agent 4,Person 0");
        assertThat(csv)
                .as("a name is no formula either")
                .contains(",\"'=HYPERLINK(\"\"http://attacker.example\"\")\",")
                .doesNotContain(",\"=HYPERLINK")
                .as("a name stays on its line")
                .contains(",Two  lines,");
        assertThat(asked.get())
                .as("each id asked once: 3 people, 2 owners, 25 agents")
                .isEqualTo(30);

        Verification result = ExportVerifier.verify(new StringReader(csv), trusted());
        assertThat(result.valid()).as("%s", result).isTrue();
        assertThat(result.eventsChecked()).isEqualTo(25);

        Verification renamed =
                ExportVerifier.verify(new StringReader(csv.replace("Agent 4", "Someone else")), trusted());
        assertThat(renamed.valid())
                .as("the names are outside the signed record: %s", renamed)
                .isTrue();
        Verification changed =
                ExportVerifier.verify(new StringReader(csv.replace(",agent-4,", ",agent-9,")), trusted());
        assertThat(changed.valid()).as("the ids are the record's").isFalse();
    }

    @Test
    void ndjsonEventLinesCarryNamesBesideTheCanonicalRecordAndStillVerify() throws Exception {
        String ndjson = export(names, ExportFormat.NDJSON);
        JsonNode event = JsonMapper.builder()
                .build()
                .readTree(ndjson.lines()
                        .filter(l -> l.contains("\"sequence\":4,"))
                        .findFirst()
                        .orElseThrow());
        assertThat(event.get("actorName").asString()).isEqualTo("Person 1");
        assertThat(event.get("agentName").asString()).isEqualTo("Agent 4");
        assertThat(event.get("ownerName").asString()).isEqualTo("Person 0");
        assertThat(event.get("canonical").asString()).doesNotContain("Agent 4");

        Verification result = ExportVerifier.verify(new StringReader(ndjson), trusted());
        assertThat(result.valid()).as("%s", result).isTrue();
        assertThat(result.eventsChecked()).isEqualTo(25);
    }

    @Test
    void withoutNamesTheColumnsAreEmptyAndTheLinesAsBefore() throws Exception {
        String csv = export(AuditNames.none(), ExportFormat.CSV);
        String row4 =
                csv.lines().filter(r -> r.startsWith("event,4,")).findFirst().orElseThrow();
        assertThat(row4).endsWith(",,,");
        assertThat(export(AuditNames.none(), ExportFormat.NDJSON)).doesNotContain("Name\"");
    }

    @Test
    void aNameSourceThatFailsIsAskedOnceAndTheExportCarriesIdsAndVerifies() throws Exception {
        AtomicInteger tries = new AtomicInteger();
        AuditNames down = new AuditNames() {
            @Override
            public @Nullable String person(String id) {
                tries.incrementAndGet();
                throw new IllegalStateException("directory unreachable");
            }

            @Override
            public @Nullable String agent(String id) {
                tries.incrementAndGet();
                throw new IllegalStateException("registry unreachable");
            }
        };
        String csv = export(down, ExportFormat.CSV);
        assertThat(tries.get()).isEqualTo(1);
        assertThat(csv).doesNotContain("unreachable");
        assertThat(ExportVerifier.verify(new StringReader(csv), trusted()).valid())
                .isTrue();
    }
}
