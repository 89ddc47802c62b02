package io.warden.audit.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import io.warden.audit.Checkpoint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityDetailComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventSourceComponent;
import org.hl7.fhir.r4.model.Base64BinaryType;
import org.hl7.fhir.r4.model.Basic;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.jspecify.annotations.Nullable;

/**
 * Audit records as FHIR R4 AuditEvent resources, coded as the IHE Basic Audit Log Patterns (BALP) do:
 * DICOM event types, the action's CRUDE code, the outcome, the requestor agent (for a call an agent made on behalf
 * of a person, the person as requestor and the agent as a second, non-requesting agent), Warden as the source
 * observer, the target and data set as entities, and the purpose of use from HL7 v3 ActReason. Each
 * resource carries its chain link (sequence, hash and canonical form) in an extension, so an exported
 * file can be verified offline. Thread-safe after construction.
 */
final class FhirAuditEvents {

    public static final String CHAIN_EXTENSION = "https://warden.io/fhir/StructureDefinition/audit-chain";
    public static final String CHECKPOINT_EXTENSION = "https://warden.io/fhir/StructureDefinition/audit-checkpoint";
    public static final String ANCHOR_EXTENSION = "https://warden.io/fhir/StructureDefinition/audit-anchor";
    static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
    static final String WARDEN_ACTIONS = "https://warden.io/fhir/CodeSystem/audit-action";
    static final String BASIC_CODES = "https://warden.io/fhir/CodeSystem/audit-export";

    /** The details key of a delegated call's person (the gateway's records and the token exchange write it). */
    static final String ON_BEHALF_OF = "onBehalfOf";

    static final String SECURITY_ROLE_TYPE = "http://terminology.hl7.org/CodeSystem/extra-security-role-type";
    static final String V3_ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode";
    static final String V3_ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

    /**
     * The codes of HL7 v3's PurposeOfUse value set (v3-ActReason, is-a PurposeOfUse) as FHIR R4 publishes it, the
     * value set AuditEvent.purposeOfEvent is bound to. Fixed by that release, so an export renders the same forever.
     */
    static final Set<String> PURPOSES_OF_USE = Set.of(
            "HMARKT",
            "HOPERAT",
            "CAREMGT",
            "DONAT",
            "FRAUD",
            "GOV",
            "HACCRED",
            "HCOMPL",
            "HDECD",
            "HDIRECT",
            "HDM",
            "HLEGAL",
            "HOUTCOMS",
            "HPRGRP",
            "HQUALIMP",
            "HSYSADMIN",
            "LABELING",
            "METAMGT",
            "MEMADMIN",
            "MILCDM",
            "PATADMIN",
            "PATSFTY",
            "PERFMSR",
            "RECORDMGT",
            "SYSDEV",
            "HTEST",
            "TRAIN",
            "HPAYMT",
            "CLMATTCH",
            "COVAUTH",
            "COVERAGE",
            "ELIGDTRM",
            "ELIGVER",
            "ENROLLM",
            "MILDCRG",
            "REMITADV",
            "HRESCH",
            "BIORCH",
            "CLINTRCH",
            "CLINTRCHNPC",
            "CLINTRCHPC",
            "PRECLINTRCH",
            "DSRCH",
            "POARCH",
            "TRANSRCH",
            "PATRQT",
            "FAMRQT",
            "PWATRNY",
            "SUPNWK",
            "PUBHLTH",
            "DISASTER",
            "THREAT",
            "TREAT",
            "CLINTRL",
            "COC",
            "ETREAT",
            "BTG",
            "ERTREAT",
            "POPHLTH");

    private static final FhirContext CONTEXT = FhirContext.forR4Cached();

    private final ThreadLocal<IParser> parser =
            ThreadLocal.withInitial(() -> CONTEXT.newJsonParser().setPrettyPrint(false));

    public String auditEvent(AuditRecord record, String canonical) {
        return parser.get().encodeResourceToString(toFhir(record, canonical));
    }

    /**
     * A Bundle entry's fullUrl: R4 requires one in every entry of a collection, and Warden has no FHIR server whose URL
     * could name the resource. A {@code urn:uuid} (RFC 9562 version 8) from the SHA-256 of the resource's type, id and
     * chain hash: the same file always gets the same URLs, no two entries share one, and a verifier recomputes it.
     */
    static String fullUrl(String resourceType, String id, byte[] hash) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        sha256.update((resourceType + "/" + id + "/").getBytes(StandardCharsets.UTF_8));
        byte[] digest = sha256.digest(hash);
        digest[6] = (byte) ((digest[6] & 0x0f) | 0x80);
        digest[8] = (byte) ((digest[8] & 0x3f) | 0x80);
        ByteBuffer bytes = ByteBuffer.wrap(digest, 0, 16);
        return "urn:uuid:" + new UUID(bytes.getLong(), bytes.getLong());
    }

    static String eventFullUrl(long sequence, byte[] hash) {
        return fullUrl("AuditEvent", "warden-" + sequence, hash);
    }

    static String checkpointFullUrl(Checkpoint checkpoint) {
        return fullUrl("Basic", "checkpoint-" + checkpoint.lastSequence(), checkpoint.headHash());
    }

    static String anchorFullUrl(long sequence, byte[] hash) {
        return fullUrl("Basic", "anchor-" + sequence, hash);
    }

    public String checkpoint(Checkpoint checkpoint) {
        return checkpoint(checkpoint, null);
    }

    /** A checkpoint with its RFC 3161 time-stamp token (DER, base64), when it has one. */
    public String checkpoint(Checkpoint checkpoint, byte @Nullable [] timestamp) {
        Basic basic = new Basic();
        basic.setId("checkpoint-" + checkpoint.lastSequence());
        basic.setCode(new CodeableConcept(new Coding(BASIC_CODES, "checkpoint", "Signed audit checkpoint")));
        Extension extension = basic.addExtension().setUrl(CHECKPOINT_EXTENSION);
        extension.addExtension("firstSequence", new StringType(Long.toString(checkpoint.firstSequence())));
        extension.addExtension("lastSequence", new StringType(Long.toString(checkpoint.lastSequence())));
        extension.addExtension("headHash", new StringType(checkpoint.headHashHex()));
        extension.addExtension("time", new StringType(checkpoint.time().toString()));
        extension.addExtension("keyId", new StringType(checkpoint.keyId()));
        extension.addExtension("signature", new StringType(Base64.getEncoder().encodeToString(checkpoint.signature())));
        if (timestamp != null) {
            extension.addExtension(
                    "timestamp", new StringType(Base64.getEncoder().encodeToString(timestamp)));
        }
        return parser.get().encodeResourceToString(basic);
    }

    public String anchor(long sequence, byte[] hash, long from, long to, String keyId, byte[] signature) {
        Basic basic = new Basic();
        basic.setId("anchor-" + sequence);
        basic.setCode(new CodeableConcept(new Coding(BASIC_CODES, "anchor", "Export range and chain anchor")));
        Extension extension = basic.addExtension().setUrl(ANCHOR_EXTENSION);
        extension.addExtension("sequence", new StringType(Long.toString(sequence)));
        extension.addExtension("hash", new StringType(HexFormat.of().formatHex(hash)));
        extension.addExtension("from", new StringType(Long.toString(from)));
        extension.addExtension("to", new StringType(Long.toString(to)));
        extension.addExtension("keyId", new StringType(keyId));
        extension.addExtension("signature", new StringType(Base64.getEncoder().encodeToString(signature)));
        return parser.get().encodeResourceToString(basic);
    }

    org.hl7.fhir.r4.model.AuditEvent toFhir(AuditRecord record, String canonical) {
        AuditEvent event = record.event();
        var fhir = new org.hl7.fhir.r4.model.AuditEvent();
        fhir.setId("warden-" + record.sequence());
        fhir.setType(type(event.action()));
        fhir.addSubtype(new Coding(WARDEN_ACTIONS, event.action(), null));
        fhir.setAction(action(event.action()));
        fhir.setRecorded(Date.from(record.time()));
        fhir.setOutcome(AuditEventOutcome.fromCode(event.outcome().fhirCode()));
        if (!event.reasons().isEmpty()) {
            fhir.setOutcomeDesc(String.join(" ", event.reasons()));
        }
        String purpose = event.purposeOfUse();
        if (purpose != null) {
            // a caller may name a purpose that is no PurposeOfUse code (a refused call records what was asked):
            // it is kept as text, never passed off as a code of v3-ActReason
            fhir.addPurposeOfEvent(
                    PURPOSES_OF_USE.contains(purpose)
                            ? new CodeableConcept(new Coding(V3_ACT_REASON, purpose, null))
                            : new CodeableConcept().setText(purpose));
        }
        String person = event.details().get(ON_BEHALF_OF);
        if (person != null) {
            // a delegated call: the person who asked is the requestor, the agent the software acting for them
            AuditEventAgentComponent requestor = fhir.addAgent();
            requestor.setRequestor(true);
            requestor.setType(new CodeableConcept(new Coding(SECURITY_ROLE_TYPE, "humanuser", "human user")));
            requestor.setWho(new Reference().setIdentifier(identifier("urn:warden:person", person)));
            String via = event.details().get("delegation");
            if (via != null) {
                requestor.addPolicy(via);
            }
        }
        AuditEventAgentComponent agent = fhir.addAgent();
        agent.setRequestor(person == null);
        agent.setType(new CodeableConcept(
                event.actor().type() == AuditActor.Type.PERSON
                        ? new Coding(
                                "http://terminology.hl7.org/CodeSystem/extra-security-role-type",
                                "humanuser",
                                "human user")
                        : new Coding(
                                "http://terminology.hl7.org/CodeSystem/extra-security-role-type",
                                "dataprocessor",
                                "data processor")));
        agent.setWho(new Reference()
                .setIdentifier(identifier(
                        "urn:warden:" + event.actor().type().name().toLowerCase(Locale.ROOT),
                        event.actor().id())));
        String ownerId = event.actor().ownerId();
        if (ownerId != null) {
            AuditEventAgentComponent owner = fhir.addAgent();
            owner.setRequestor(false);
            // RESPRSN is a v3 RoleCode (not a RoleClass): the code FHIR R4's participation-role-type value set lists
            owner.setType(new CodeableConcept(new Coding(V3_ROLE_CODE, "RESPRSN", "responsible party")));
            owner.setWho(new Reference().setIdentifier(identifier("urn:warden:person", ownerId)));
        }
        AuditEventSourceComponent source = fhir.getSource();
        source.setSite("Warden");
        source.setObserver(new Reference()
                .setIdentifier(new Identifier().setSystem("urn:warden:system").setValue("warden")));
        source.addType(
                new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"));
        AuditEventEntityComponent target = fhir.addEntity();
        target.setWhat(new Reference()
                .setIdentifier(identifier(
                        "urn:warden:" + event.target().type(), event.target().id())));
        target.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"));
        String digest = event.requestDigest();
        if (digest != null) {
            detail(target, "requestDigest", digest);
        }
        event.details().forEach((key, value) -> detail(target, key, value));
        String dataset = event.dataset();
        if (dataset != null) {
            fhir.addEntity()
                    .setWhat(new Reference().setIdentifier(identifier("urn:warden:data-scope", dataset)))
                    .setType(
                            new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"))
                    .setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "4", "Domain Resource"));
        }
        Extension chain = fhir.addExtension().setUrl(CHAIN_EXTENSION);
        chain.addExtension("sequence", new StringType(Long.toString(record.sequence())));
        chain.addExtension("hash", new StringType(record.hashHex()));
        chain.addExtension("canonical", new StringType(canonical));
        return fhir;
    }

    /**
     * An identifier whose value FHIR accepts: a string without leading or trailing whitespace (a sign-in name is typed
     * by whoever signs in). The exact value stays in the chained canonical form the resource carries.
     */
    private static Identifier identifier(String system, String value) {
        return new Identifier().setSystem(system).setValue(value.strip());
    }

    /**
     * A detail as FHIR R4 can hold it: a string where the value is one, else its exact UTF-8 bytes as base64Binary
     * (FHIR strings may not be empty and should not start or end with whitespace). An empty value has no FHIR form:
     * the detail is left out of the resource and kept in the chained canonical form.
     */
    private static void detail(AuditEventEntityComponent entity, String key, String value) {
        if (value.isEmpty()) {
            return;
        }
        entity.addDetail(new AuditEventEntityDetailComponent(
                new StringType(key),
                value.strip().equals(value)
                        ? new StringType(value)
                        : new Base64BinaryType(value.getBytes(StandardCharsets.UTF_8))));
    }

    private static Coding type(String action) {
        if (action.startsWith("gateway.")) {
            return new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation");
        }
        if (action.startsWith("audit.exported")) {
            return new Coding(DCM, "110106", "Export");
        }
        if (action.startsWith("kill_switch.") || action.startsWith("incident.")) {
            return new Coding(DCM, "110113", "Security Alert");
        }
        return new Coding(DCM, "110100", "Application Activity");
    }

    private static AuditEventAction action(String action) {
        if (action.endsWith(".registered") || action.endsWith(".requested")) {
            return AuditEventAction.C;
        }
        if (action.endsWith(".exported") || action.endsWith(".read") || action.endsWith(".searched")) {
            return AuditEventAction.R;
        }
        if (action.startsWith("gateway.")) {
            return AuditEventAction.E;
        }
        if (action.endsWith(".deleted")) {
            return AuditEventAction.D;
        }
        return AuditEventAction.U;
    }
}
