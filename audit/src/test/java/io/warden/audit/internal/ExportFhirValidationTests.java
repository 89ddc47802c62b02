package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.ConceptValidationOptions;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport.CodeValidationResult;
import ca.uhn.fhir.context.support.ValidationSupportContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import io.warden.audit.ExportFormat;
import io.warden.audit.ExportVerifier;
import io.warden.audit.Outcome;
import io.warden.audit.Verification;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every form of FHIR R4 resource Warden exports (each kind of audit record as an AuditEvent, the export's anchor and
 * its checkpoints as Basic resources, one a line or in a Bundle) passes HAPI FHIR's R4 instance validator with no
 * error, and each coding is a code of the code system it names, in the value set its element is bound to.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportFhirValidationTests {

    /** A validator message that may remain, and why. */
    record Justified(ResultSeverityEnum severity, Pattern location, Pattern message, String why) {
        /** A Bundle entry's location, {@code Bundle.entry[3].resource/*Basic/anchor-0*}{@code /.code}, as Basic.code. */
        static final Pattern IN_BUNDLE = Pattern.compile("^Bundle\\.entry\\[\\d+]\\.resource/\\*(\\w+)/[^*]*\\*/");

        boolean covers(SingleValidationMessage found) {
            String where = IN_BUNDLE.matcher(found.getLocationString()).replaceFirst("$1");
            return found.getSeverity() == severity
                    && location.matcher(where).matches()
                    && message.matcher(found.getMessage()).find();
        }
    }

    static final List<Justified> JUSTIFIED = List.of(
            new Justified(
                    ResultSeverityEnum.INFORMATION,
                    Pattern.compile("(AuditEvent|Basic)\\.extension\\[0\\]"),
                    Pattern.compile("^Unknown extension https://warden\\.io/fhir/StructureDefinition/audit-"
                            + "(chain|anchor|checkpoint)$"),
                    "Warden's chain, anchor and checkpoint extensions: what makes the file verifiable offline; the"
                            + " validator has no definition for them and accepts them as extensions"),
            new Justified(
                    ResultSeverityEnum.WARNING,
                    Pattern.compile("(AuditEvent|Basic)"),
                    Pattern.compile("^Constraint failed: dom-6: 'A resource should have narrative"),
                    "dom-6 is a best-practice recommendation; an export is read by machines, and a narrative would be"
                            + " text the chain does not bind"),
            new Justified(
                    ResultSeverityEnum.WARNING,
                    Pattern.compile("AuditEvent\\.subtype\\[0\\]"),
                    Pattern.compile("^(CodeSystem is unknown and can't be validated: "
                            + "https://warden\\.io/fhir/CodeSystem/audit-action for"
                            + "|The Coding provided \\(https://warden\\.io/fhir/CodeSystem/audit-action#"
                            + "[a-z_.]+\\) was not found in the value set 'Audit Event Sub-Type')"),
                    "the subtype is Warden's own action (gateway.decision, kill_switch.engaged, ...): the binding is"
                            + " extensible and no DICOM or FHIR interaction code names a governance action"),
            new Justified(
                    ResultSeverityEnum.WARNING,
                    Pattern.compile("Basic\\.code"),
                    Pattern.compile("^CodeSystem is unknown and can't be validated: "
                            + "https://warden\\.io/fhir/CodeSystem/audit-export for"),
                    "Basic.code is bound to an example value set only; the export's anchor and checkpoint are"
                            + " Warden's own kinds of resource"),
            new Justified(
                    ResultSeverityEnum.WARNING,
                    Pattern.compile("AuditEvent\\.purposeOfEvent\\[0\\]"),
                    Pattern.compile("^No code provided, and a code should be provided from the value set"),
                    "a refused call may name a purpose that is no PurposeOfUse code; it is recorded as text, since"
                            + " coding it would name a code that v3-ActReason does not have"));

    /** The value set each coded element is bound to in FHIR R4 (the AuditEvent and Basic definitions). */
    static final Map<String, String> BOUND = Map.of(
            "AuditEvent.type", "http://hl7.org/fhir/ValueSet/audit-event-type",
            "AuditEvent.purposeOfEvent.coding", "http://terminology.hl7.org/ValueSet/v3-PurposeOfUse",
            "AuditEvent.agent.type.coding", "http://hl7.org/fhir/ValueSet/participation-role-type",
            "AuditEvent.source.type", "http://hl7.org/fhir/ValueSet/audit-source-type",
            "AuditEvent.entity.type", "http://hl7.org/fhir/ValueSet/audit-entity-type",
            "AuditEvent.entity.role", "http://hl7.org/fhir/ValueSet/object-role");

    /** Elements coded from Warden's own code systems (extensible or example bindings with no code that fits). */
    static final Set<String> WARDEN_CODED = Set.of("AuditEvent.subtype", "Basic.code.coding");

    static final JsonMapper JSON = JsonMapper.builder().build();

    FhirContext context;
    ValidationSupportChain support;
    FhirValidator validator;
    AuditDatabase database;
    PostgresAuditLog log;
    SigningKeys.SigningKey key;
    AuditExporter exporter;
    List<AuditEvent> catalogue;
    String ndjson;
    String bundle;

    @BeforeAll
    void exportTheCatalogue() throws Exception {
        context = FhirContext.forR4Cached();
        support = new ValidationSupportChain(
                new DefaultProfileValidationSupport(context),
                new InMemoryTerminologyServerValidationSupport(context),
                new CommonCodeSystemsTerminologyService(context));
        validator = context.newValidator().registerValidatorModule(new FhirInstanceValidator(support));

        database = new AuditDatabase();
        key = SigningKeys.generatedIn(Files.createTempDirectory("fhir-validation-keys"));
        log = PostgresAuditLogTests.newLog(database, key);
        log.start();
        catalogue = catalogue();
        catalogue.forEach(log::append);
        exporter = new AuditExporter(database.dataSource, key);
        ndjson = export(ExportFormat.FHIR_NDJSON);
        bundle = export(ExportFormat.FHIR_BUNDLE);
    }

    @AfterAll
    void stop() {
        log.stop();
    }

    String export(ExportFormat format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exporter.export(format, 1, catalogue.size(), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    List<String> resources() {
        return ndjson.lines().filter(line -> !line.isBlank()).toList();
    }

    /** The validator's messages that are not justified above, each with the resource it is about. */
    List<String> unjustified(String resource) {
        List<String> found = new ArrayList<>();
        for (SingleValidationMessage message :
                validator.validateWithResult(resource).getMessages()) {
            if (JUSTIFIED.stream().noneMatch(justified -> justified.covers(message))) {
                found.add(message.getSeverity() + " at " + message.getLocationString() + ": " + message.getMessage()
                        + "\n  in " + resource);
            }
        }
        return found;
    }

    @Test
    void theExportHoldsEveryFormOfResource() {
        List<String> lines = resources();
        assertThat(lines.stream().filter(l -> l.contains("\"resourceType\":\"AuditEvent\"")))
                .hasSize(catalogue.size());
        assertThat(lines).anyMatch(l -> l.contains(FhirAuditEvents.ANCHOR_EXTENSION));
        assertThat(lines.stream().filter(l -> l.contains(FhirAuditEvents.CHECKPOINT_EXTENSION)))
                .as("the catalogue is long enough to be checkpointed (every 10 events in these tests)")
                .hasSizeGreaterThanOrEqualTo(3);
        Set<String> types = new TreeSet<>();
        Set<String> actions = new TreeSet<>();
        Set<String> outcomes = new TreeSet<>();
        Set<String> agentTypes = new TreeSet<>();
        for (JsonNode event : auditEvents()) {
            types.add(event.get("type").get("code").asString());
            actions.add(event.get("action").asString());
            outcomes.add(event.get("outcome").asString());
            event.get("agent")
                    .forEach(agent -> agentTypes.add(
                            agent.get("type").get("coding").get(0).get("code").asString()));
        }
        assertThat(types)
                .as("every AuditEvent.type Warden writes")
                .containsExactly("110100", "110106", "110113", "rest");
        assertThat(actions).as("every CRUDE action").containsExactly("C", "D", "E", "R", "U");
        assertThat(outcomes).as("every R4 outcome").containsExactly("0", "12", "4", "8");
        assertThat(agentTypes).containsExactly("RESPRSN", "dataprocessor", "humanuser");
    }

    @Test
    void everyFhirNdjsonLineIsAValidR4ResourceWithNoErrorAndOnlyJustifiedWarnings() {
        List<String> problems = new ArrayList<>();
        for (String resource : resources()) {
            problems.addAll(unjustified(resource));
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theFhirBundleIsAValidR4BundleWithNoErrorAndOnlyJustifiedWarnings() {
        assertThat(JSON.readTree(bundle).get("entry")).hasSize(resources().size());
        assertThat(unjustified(bundle)).isEmpty();
    }

    @Test
    void everyCodingIsACodeOfTheSystemItNamesInTheValueSetItsElementIsBoundTo() {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (String resource : resources()) {
            JsonNode node = JSON.readTree(resource);
            List<String[]> codings = new ArrayList<>();
            codings(node.get("resourceType").asString(), node, codings);
            for (String[] coding : codings) {
                String path = coding[0];
                String system = coding[1];
                String code = coding[2];
                String display = coding[3];
                if (WARDEN_CODED.contains(path)) {
                    if (!system.startsWith("https://warden.io/fhir/CodeSystem/")) {
                        problems.add(path + " names " + system + ", not one of Warden's code systems");
                    }
                    continue;
                }
                String valueSet = BOUND.get(path);
                if (valueSet == null) {
                    problems.add(
                            path + " is coded (" + system + "#" + code + ") but this test knows no binding for it");
                    continue;
                }
                CodeValidationResult result = validate(system, code, display, valueSet);
                if (result == null || !result.isOk()) {
                    problems.add(path + " " + system + "#" + code + " (" + display + ") is not in " + valueSet + ": "
                            + (result == null ? "no answer" : result.getMessage()));
                }
                checked++;
            }
        }
        assertThat(problems).isEmpty();
        assertThat(checked).isGreaterThan(catalogue.size() * 3);
    }

    @Test
    void everyPurposeOfUseWardenCodesIsInTheR4PurposeOfUseValueSet() {
        assertThat(FhirAuditEvents.PURPOSES_OF_USE)
                .contains("TREAT", "ETREAT", "HOPERAT", "HQUALIMP", "HRESCH", "CLINTRCH", "PUBHLTH", "HPAYMT")
                .allSatisfy(code -> {
                    CodeValidationResult result = validate(
                            FhirAuditEvents.V3_ACT_REASON,
                            code,
                            null,
                            "http://terminology.hl7.org/ValueSet/v3-PurposeOfUse");
                    assertThat(result).as(code).isNotNull();
                    assertThat(result.isOk())
                            .as("%s: %s", code, result.getMessage())
                            .isTrue();
                });
        assertThat(validate(
                        FhirAuditEvents.V3_ACT_REASON,
                        "NOPE",
                        null,
                        "http://terminology.hl7.org/ValueSet/v3-PurposeOfUse"))
                .as("the check can fail")
                .matches(result -> result == null || !result.isOk());
    }

    @Test
    void aPurposeThatIsNoCodeIsKeptAsTextAndHostileValuesKeepTheirBytes() {
        JsonNode refused = auditEvents().stream()
                .filter(event -> event.toString().contains("=HYPERLINK"))
                .findFirst()
                .orElseThrow();
        assertThat(refused.get("purposeOfEvent").get(0).has("coding")).isFalse();
        assertThat(refused.get("purposeOfEvent").get(0).get("text").asString()).isEqualTo("=HYPERLINK(\"x\")");

        JsonNode padded = auditEvents().stream()
                .filter(event -> event.toString().contains("\"value\":\"typed-name\""))
                .findFirst()
                .orElseThrow();
        List<JsonNode> details = new ArrayList<>();
        padded.get("entity").get(0).get("detail").forEach(details::add);
        assertThat(details)
                .as("an empty value has no FHIR form and is left out")
                .noneMatch(detail -> detail.get("type").asString().equals("oldPurposes"));
        JsonNode note = details.stream()
                .filter(detail -> detail.get("type").asString().equals("note"))
                .findFirst()
                .orElseThrow();
        assertThat(new String(note.get("valueBase64Binary").binaryValue(), StandardCharsets.UTF_8))
                .isEqualTo("  padded  ");
    }

    @Test
    void theValidatedExportsStillVerify() {
        for (String file : List.of(ndjson, bundle)) {
            Verification result = ExportVerifier.verify(new StringReader(file), Map.of(key.keyId(), key.publicKey()));
            assertThat(result.valid()).as("%s", result).isTrue();
            assertThat(result.eventsChecked()).isEqualTo(catalogue.size());
        }
    }

    @Test
    void aBundleFromBeforeEntriesHadAFullUrlStillVerifiesAndAForeignFullUrlDoesNot() {
        Map<String, PublicKey> trusted = Map.of(key.keyId(), key.publicKey());
        String older = bundle.replaceAll("\\{\"fullUrl\":\"urn:uuid:[0-9a-f-]{36}\",", "{");
        assertThat(older).isNotEqualTo(bundle).doesNotContain("fullUrl");
        Verification result = ExportVerifier.verify(new StringReader(older), trusted);
        assertThat(result.valid()).as("%s", result).isTrue();

        String first = JSON.readTree(bundle).get("entry").get(1).get("fullUrl").asString();
        String second = JSON.readTree(bundle).get("entry").get(2).get("fullUrl").asString();
        String swapped = bundle.replace(first, "FIRST").replace(second, first).replace("FIRST", second);
        assertThat(ExportVerifier.verify(new StringReader(swapped), trusted).valid())
                .isFalse();
    }

    @Test
    void aFileExportedWithTheFirstRenderingStillVerifiesAndAnEditedOneDoesNot() throws Exception {
        FhirAuditEventsV1 first = new FhirAuditEventsV1();
        StringBuilder older = new StringBuilder();
        for (String line : resources()) {
            JsonNode node = JSON.readTree(line);
            if (node.get("resourceType").asString().equals("AuditEvent")) {
                JsonNode chain = node.get("extension").get(0).get("extension");
                byte[] hash =
                        HexFormat.of().parseHex(chain.get(1).get("valueString").asString());
                String canonical = chain.get(2).get("valueString").asString();
                AuditRecord record = RecordCodecV1.parse(canonical, hash);
                line = first.auditEvent(record, canonical);
            }
            older.append(line).append('\n');
        }
        assertThat(older.toString()).isNotEqualTo(ndjson).contains("v3-RoleClass");
        Map<String, PublicKey> trusted = Map.of(key.keyId(), key.publicKey());
        Verification result = ExportVerifier.verify(new StringReader(older.toString()), trusted);
        assertThat(result.valid()).as("%s", result).isTrue();
        assertThat(result.eventsChecked()).isEqualTo(catalogue.size());

        String edited = older.toString().replaceFirst("\"code\":\"RESPRSN\"", "\"code\":\"GUARD\"");
        assertThat(edited).isNotEqualTo(older.toString());
        assertThat(ExportVerifier.verify(new StringReader(edited), trusted).valid())
                .isFalse();
    }

    @Test
    void theValidatorFindsTheErrorsThisTestExists() {
        String line = resources().stream()
                .filter(l -> l.contains("\"AuditEvent\"") && l.contains("RESPRSN"))
                .findFirst()
                .orElseThrow();
        String wrongSystem =
                line.replace(FhirAuditEvents.V3_ROLE_CODE, "http://terminology.hl7.org/CodeSystem/v3-RoleClass");
        assertThat(unjustified(wrongSystem)).anyMatch(message -> message.startsWith("ERROR"));
        String wrongOutcome = line.replaceFirst("\"outcome\":\"[0-9]+\"", "\"outcome\":\"1\"");
        assertThat(unjustified(wrongOutcome)).anyMatch(message -> message.startsWith("ERROR"));
    }

    List<JsonNode> auditEvents() {
        return resources().stream()
                .map(JSON::readTree)
                .filter(node -> node.get("resourceType").asString().equals("AuditEvent"))
                .toList();
    }

    @Nullable
    CodeValidationResult validate(String system, String code, @Nullable String display, String valueSet) {
        return support.validateCode(
                new ValidationSupportContext(support), new ConceptValidationOptions(), system, code, display, valueSet);
    }

    /** Every Coding in a resource (an object with a system and a code), with its path without indexes. */
    static void codings(String path, JsonNode node, List<String[]> found) {
        if (node.isArray()) {
            node.forEach(each -> codings(path, each, found));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        if (node.has("system") && node.has("code")) {
            found.add(new String[] {
                path,
                node.get("system").asString(),
                node.get("code").asString(),
                node.has("display") ? node.get("display").asString() : null
            });
            return;
        }
        node.properties().forEach(entry -> {
            if (!entry.getKey().equals("extension")) {
                codings(path + "." + entry.getKey(), entry.getValue(), found);
            }
        });
    }

    /** One record of each kind Warden writes, as the modules that write them fill them in. */
    static List<AuditEvent> catalogue() {
        AuditActor agent = AuditActor.agent("demo-retrieval-agent", "owner-1");
        AuditActor secops = AuditActor.person("secops-1");
        AuditActor system = AuditActor.system("lifecycle");
        List<AuditEvent> events = new ArrayList<>();
        // gateway decisions: permit, deny, on behalf of a person, and the call's outcome
        events.add(gateway("gateway.decision", agent)
                .decision("PERMIT")
                .purposeOfUse("TREAT")
                .requestDigest("a".repeat(64))
                .outcome(Outcome.SUCCESS)
                .detail("decisionId", "d-1")
                .detail("edge", "mcp")
                .build());
        events.add(gateway("gateway.decision", agent)
                .decision("DENY")
                .reason("PURPOSE_NOT_ALLOWED")
                .reason("DATASET_NOT_GRANTED")
                .purposeOfUse("=HYPERLINK(\"x\")")
                .outcome(Outcome.MINOR_FAILURE)
                .build());
        events.add(gateway("gateway.decision", agent)
                .decision("PERMIT")
                .purposeOfUse("HRESCH")
                .outcome(Outcome.SUCCESS)
                .detail("onBehalfOf", "person-7")
                .detail("delegation", "token-exchange")
                .build());
        events.add(gateway("gateway.outcome", agent)
                .purposeOfUse("TREAT")
                .outcome(Outcome.SERIOUS_FAILURE)
                .latencyMicros(1234L)
                .detail("traceId", "t-1")
                .build());
        events.add(AuditEvent.builder("identity.token_exchanged", agent, new AuditTarget("person", "person-7"))
                .agent("demo-retrieval-agent")
                .detail("onBehalfOf", "person-7")
                .detail("delegation", "token-exchange")
                .build());
        events.add(AuditEvent.builder(
                        "api.refused",
                        AuditActor.agent("demo-retrieval-agent", null),
                        new AuditTarget("endpoint", "GET /api/agents"))
                .decision("DENY")
                .reason("KILL_SWITCH")
                .build());
        // break-glass
        for (String action : List.of("break_glass.used", "break_glass.reviewed", "break_glass.escalated")) {
            events.add(AuditEvent.builder(
                            action,
                            action.endsWith("used") ? agent : secops,
                            new AuditTarget("break-glass-review", "r-1"))
                    .agent("demo-retrieval-agent")
                    .tool("text-search")
                    .dataset("dermatology-phi")
                    .purposeOfUse("ETREAT")
                    .detail("onBehalfOf", "person-7")
                    .detail("justification", "patient crashed, chart needed now")
                    .build());
        }
        // kill switches
        for (String action : List.of("kill_switch.engaged", "kill_switch.release_requested", "kill_switch.released")) {
            events.add(AuditEvent.builder(action, secops, new AuditTarget("kill-switch", "k-1"))
                    .detail("scope", "AGENT")
                    .build());
        }
        events.add(AuditEvent.builder("kill_switch.self_test", system, new AuditTarget("self-test", "s-1"))
                .tool("warden-canary")
                .outcome(Outcome.MAJOR_FAILURE)
                .detail("passed", false)
                .build());
        // approvals of single calls
        for (String action : List.of(
                "approval.requested",
                "approval.granted",
                "approval.denied",
                "approval.expired",
                "approval.used",
                "approval.decided")) {
            events.add(AuditEvent.builder(
                            action,
                            action.endsWith("requested") ? agent : secops,
                            new AuditTarget("call-approval", "a-1"))
                    .agent("demo-retrieval-agent")
                    .tool("text-search")
                    .decision(action.endsWith("denied") ? "DENY" : null)
                    .build());
        }
        // the agent's life cycle, identity and workflows
        for (String action : List.of(
                "agent.registered",
                "agent.status_changed",
                "agent.credential_revoked",
                "agent.owner_changed",
                "identity.disabled",
                "workflow.started",
                "workflow.task",
                "workflow.notified",
                "lifecycle.rule_changed")) {
            events.add(AuditEvent.builder(action, system, new AuditTarget("agent", "agent-1"))
                    .agent("agent-1")
                    .owner("owner-1")
                    .detail("status", "SUSPENDED")
                    .build());
        }
        // exports, reads and configuration
        events.add(AuditEvent.builder(
                        "audit.exported", AuditActor.person("auditor-1"), new AuditTarget("audit-trail", "1-40"))
                .detail("format", "fhir-bundle")
                .detail("via", "portal")
                .build());
        events.add(AuditEvent.builder(
                        "cohort.read", AuditActor.person("researcher-1"), new AuditTarget("cohort-run", "run-1"))
                .dataset("imaging-ct-deid")
                .decision("PERMIT")
                .purposeOfUse("HRESCH")
                .build());
        events.add(AuditEvent.builder("rate_limit.override_set", secops, new AuditTarget("rate-limit", "text-search"))
                .tool("text-search")
                .detail("new", "rate=5/s burst=10")
                .build());
        events.add(AuditEvent.builder(
                        "policy.simulated", AuditActor.person("compliance-1"), new AuditTarget("policy-candidate", "c"))
                .detail("flips", 3)
                .build());
        // hostile input: a typed sign-in name with spaces, empty and padded details, line breaks, unicode
        events.add(AuditEvent.builder(
                        "group_entitlement.deleted",
                        AuditActor.person(" admin-1 "),
                        new AuditTarget("local-account", "  typed-name "))
                .dataset(" dermatology-phi")
                .outcome(Outcome.MINOR_FAILURE)
                .detail("oldPurposes", "")
                .detail("note", "  padded  ")
                .detail("blank", "   ")
                .detail("multi", "line one\nline two")
                .detail("unicode", "Zoë → ✓")
                .build());
        events.add(AuditEvent.builder(
                        "signin.failed",
                        AuditActor.system("identity-provider"),
                        new AuditTarget("local-account", "(empty)"))
                .decision("DENY")
                .reason("BAD_CREDENTIALS")
                .outcome(Outcome.MINOR_FAILURE)
                .detail("address", "203.0.113.9")
                .build());
        return events;
    }

    static AuditEvent.Builder gateway(String action, AuditActor agent) {
        return AuditEvent.builder(action, agent, new AuditTarget("tool", "text-search"))
                .agent(agent.id())
                .owner(agent.ownerId())
                .tool("text-search")
                .dataset("dermatology-phi");
    }
}
