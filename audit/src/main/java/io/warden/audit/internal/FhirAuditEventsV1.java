package io.warden.audit.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import java.util.Date;
import java.util.Locale;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityDetailComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventSourceComponent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;

/**
 * The AuditEvent rendering of exports written before issue 23 (owner coded as v3 RoleClass RESPRSN, any purpose as a
 * v3-ActReason code, details always as strings): frozen, so that such files still verify. New exports use
 * {@link FhirAuditEvents}; never edit this class.
 */
final class FhirAuditEventsV1 {

    private static final String CHAIN_EXTENSION = "https://warden.io/fhir/StructureDefinition/audit-chain";
    private static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
    private static final String WARDEN_ACTIONS = "https://warden.io/fhir/CodeSystem/audit-action";
    private static final String ON_BEHALF_OF = "onBehalfOf";
    private static final String SECURITY_ROLE_TYPE = "http://terminology.hl7.org/CodeSystem/extra-security-role-type";

    private static final FhirContext CONTEXT = FhirContext.forR4Cached();

    private final ThreadLocal<IParser> parser =
            ThreadLocal.withInitial(() -> CONTEXT.newJsonParser().setPrettyPrint(false));

    public String auditEvent(AuditRecord record, String canonical) {
        return parser.get().encodeResourceToString(toFhir(record, canonical));
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
        if (event.purposeOfUse() != null) {
            fhir.addPurposeOfEvent(new CodeableConcept(
                    new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", event.purposeOfUse(), null)));
        }
        String person = event.details().get(ON_BEHALF_OF);
        if (person != null) {
            // a delegated call: the person who asked is the requestor, the agent the software acting for them
            AuditEventAgentComponent requestor = fhir.addAgent();
            requestor.setRequestor(true);
            requestor.setType(new CodeableConcept(new Coding(SECURITY_ROLE_TYPE, "humanuser", "human user")));
            requestor.setWho(new Reference()
                    .setIdentifier(
                            new Identifier().setSystem("urn:warden:person").setValue(person)));
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
                .setIdentifier(new Identifier()
                        .setSystem("urn:warden:" + event.actor().type().name().toLowerCase(Locale.ROOT))
                        .setValue(event.actor().id())));
        if (event.actor().ownerId() != null) {
            AuditEventAgentComponent owner = fhir.addAgent();
            owner.setRequestor(false);
            owner.setType(new CodeableConcept(
                    new Coding("http://terminology.hl7.org/CodeSystem/v3-RoleClass", "RESPRSN", "responsible party")));
            owner.setWho(new Reference()
                    .setIdentifier(new Identifier()
                            .setSystem("urn:warden:person")
                            .setValue(event.actor().ownerId())));
        }
        AuditEventSourceComponent source = fhir.getSource();
        source.setSite("Warden");
        source.setObserver(new Reference()
                .setIdentifier(new Identifier().setSystem("urn:warden:system").setValue("warden")));
        source.addType(
                new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"));
        AuditEventEntityComponent target = fhir.addEntity();
        target.setWhat(new Reference()
                .setIdentifier(new Identifier()
                        .setSystem("urn:warden:" + event.target().type())
                        .setValue(event.target().id())));
        target.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"));
        if (event.requestDigest() != null) {
            target.addDetail(new AuditEventEntityDetailComponent(
                    new StringType("requestDigest"), new StringType(event.requestDigest())));
        }
        event.details()
                .forEach((key, value) -> target.addDetail(
                        new AuditEventEntityDetailComponent(new StringType(key), new StringType(value))));
        if (event.dataset() != null) {
            fhir.addEntity()
                    .setWhat(new Reference()
                            .setIdentifier(new Identifier()
                                    .setSystem("urn:warden:data-scope")
                                    .setValue(event.dataset())))
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
