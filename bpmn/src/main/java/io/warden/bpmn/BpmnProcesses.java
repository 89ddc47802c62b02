package io.warden.bpmn;

import java.util.List;
import java.util.stream.Stream;

/**
 * Warden's lifecycle processes: one BPMN file per process under {@code io/warden/bpmn/}, each valid for the
 * embedded engine and for Camunda 8. Every service task carries the Camunda 8 job type and the embedded
 * engine's external-task topic, both set to one of {@link TaskTypes}; every decision arrives as one of
 * {@link Messages}, correlated by the variable {@code agentId}; timers are ISO-8601 durations.
 */
public final class BpmnProcesses {

    public static final String ONBOARDING = "agent-onboarding";
    public static final String RECERTIFICATION = "agent-recertification";
    public static final String ORPHANED = "orphaned-agent";
    public static final String RETIREMENT = "agent-retirement";
    public static final String INCIDENT = "agent-incident";
    /**
     * A COHORT_BUILDER agent's index build: extract, classify, then (describe, embed, index) beside (project),
     * then publish. Its {@code agentId} is the builder agent's; the variable {@code runId} names the run.
     */
    public static final String COHORT_INDEX_BUILD = "cohort-index-build";
    /**
     * A governed collection's build: ingest (resumable, committed in batches), then publish (write the index, switch
     * the current version). Its {@code agentId} is {@code collection:<name>}, so one build runs per collection at a
     * time; the variable {@code version} names the version it builds.
     */
    public static final String COLLECTION_BUILD = "collection-build";
    /**
     * The review of one emergency access (break-the-glass): compliance told at once, security operations once the
     * review is overdue. Its {@code agentId} is {@code break-glass:<review id>}, since one agent may break the glass
     * many times and each use is reviewed on its own; the variable {@code reviewId} names the review.
     */
    public static final String BREAK_GLASS_REVIEW = "break-glass-review";
    /**
     * The two-person removal of an archived, expired start of the audit chain: one person asks (the archive is
     * written then), a second approves, then the database's removal function runs. Its {@code agentId} is
     * {@code audit-removal:<archive id>}; the variable {@code archiveId} names the archive.
     */
    public static final String AUDIT_REMOVAL = "audit-removal";

    /** Every process id, in the order above. */
    public static final List<String> ALL = List.of(
            ONBOARDING,
            RECERTIFICATION,
            ORPHANED,
            RETIREMENT,
            INCIDENT,
            COHORT_INDEX_BUILD,
            COLLECTION_BUILD,
            BREAK_GLASS_REVIEW,
            AUDIT_REMOVAL);

    /** The agents' lifecycle processes: every process but the builds, which are work, not an agent's life. */
    public static final List<String> LIFECYCLE = List.of(ONBOARDING, RECERTIFICATION, ORPHANED, RETIREMENT, INCIDENT);

    /** The variable every process instance carries and every message is correlated by. */
    public static final String CORRELATION_VARIABLE = "agentId";

    private BpmnProcesses() {}

    /** The classpath resource of a process, e.g. {@code io/warden/bpmn/agent-onboarding.bpmn}. */
    public static String resource(String processId) {
        if (!ALL.contains(processId)) {
            throw new IllegalArgumentException("Unknown process " + processId + "; Warden's processes are " + ALL);
        }
        return "io/warden/bpmn/" + processId + ".bpmn";
    }

    /** The messages the processes wait for, by name. */
    public static final class Messages {
        public static final String AGENT_APPROVED = "agent-approved";
        public static final String AGENT_REJECTED = "agent-rejected";
        public static final String AGENT_ATTESTED = "agent-attested";
        public static final String OWNER_REASSIGNED = "owner-reassigned";
        public static final String AGENT_KEPT = "agent-kept";
        public static final String INCIDENT_REINSTATE = "incident-reinstate";
        public static final String INCIDENT_RETIRE = "incident-retire";
        /** A break-the-glass review's finding was recorded. */
        public static final String BREAK_GLASS_REVIEWED = "break-glass-reviewed";
        /** A second person approved an audit retention removal. */
        public static final String AUDIT_REMOVAL_APPROVED = "audit-removal-approved";

        public static final List<String> ALL = List.of(
                AGENT_APPROVED,
                AGENT_REJECTED,
                AGENT_ATTESTED,
                OWNER_REASSIGNED,
                AGENT_KEPT,
                INCIDENT_REINSTATE,
                INCIDENT_RETIRE,
                BREAK_GLASS_REVIEWED,
                AUDIT_REMOVAL_APPROVED);

        private Messages() {}
    }

    /** The service tasks' job types (Camunda 8) and external-task topics (embedded engine). */
    public static final class TaskTypes {
        public static final String VERIFY_OWNER = "verify-owner";
        public static final String CLASSIFY_RISK = "classify-risk";
        public static final String NOTIFY_ADMINS = "notify-admins";
        public static final String REJECT_REGISTRATION = "reject-registration";
        public static final String PROVISION_IDENTITY = "provision-identity";
        public static final String ACTIVATE_AGENT = "activate-agent";
        public static final String REQUEST_ATTESTATION = "request-attestation";
        public static final String RECERTIFY_AGENT = "recertify-agent";
        public static final String SUSPEND_AGENT = "suspend-agent";
        public static final String REINSTATE_AGENT = "reinstate-agent";
        public static final String RETIRE_AGENT = "retire-agent";
        public static final String NOTIFY_MANAGER = "notify-manager";
        public static final String NOTIFY_OWNER = "notify-owner";
        public static final String KEEP_AGENT = "keep-agent";
        public static final String DISABLE_IDENTITY = "disable-identity";
        public static final String ENABLE_IDENTITY = "enable-identity";
        public static final String COHORT_EXTRACT = "cohort-extract";
        public static final String COHORT_CLASSIFY = "cohort-classify";
        public static final String COHORT_DESCRIBE = "cohort-describe";
        public static final String COHORT_EMBED = "cohort-embed";
        public static final String COHORT_INDEX = "cohort-index";
        public static final String COHORT_PROJECT = "cohort-project";
        public static final String COHORT_PUBLISH = "cohort-publish";
        public static final String COHORT_FAIL = "cohort-fail";
        /** The cohort build's steps, in the order they first run. */
        public static final List<String> COHORT = List.of(
                COHORT_EXTRACT,
                COHORT_CLASSIFY,
                COHORT_DESCRIBE,
                COHORT_EMBED,
                COHORT_INDEX,
                COHORT_PROJECT,
                COHORT_PUBLISH,
                COHORT_FAIL);

        public static final String COLLECTION_INGEST = "collection-ingest";
        public static final String COLLECTION_PUBLISH = "collection-publish";
        public static final String COLLECTION_FAIL = "collection-fail";
        /** The collection build's steps. */
        public static final List<String> COLLECTION = List.of(COLLECTION_INGEST, COLLECTION_PUBLISH, COLLECTION_FAIL);

        public static final String BREAK_GLASS_NOTIFY = "break-glass-notify";
        public static final String BREAK_GLASS_CHECK = "break-glass-check";
        public static final String BREAK_GLASS_ESCALATE = "break-glass-escalate";
        /** The break-the-glass review's steps. */
        public static final List<String> BREAK_GLASS =
                List.of(BREAK_GLASS_NOTIFY, BREAK_GLASS_CHECK, BREAK_GLASS_ESCALATE);

        /** The audit retention removal's one step: the database's removal function. */
        public static final String AUDIT_REMOVE = "audit-remove";

        public static final List<String> ALL = Stream.concat(
                        Stream.of(
                                VERIFY_OWNER,
                                CLASSIFY_RISK,
                                NOTIFY_ADMINS,
                                REJECT_REGISTRATION,
                                PROVISION_IDENTITY,
                                ACTIVATE_AGENT,
                                REQUEST_ATTESTATION,
                                RECERTIFY_AGENT,
                                SUSPEND_AGENT,
                                REINSTATE_AGENT,
                                RETIRE_AGENT,
                                NOTIFY_MANAGER,
                                NOTIFY_OWNER,
                                KEEP_AGENT,
                                DISABLE_IDENTITY,
                                ENABLE_IDENTITY),
                        Stream.of(COHORT, COLLECTION, BREAK_GLASS, List.of(AUDIT_REMOVE))
                                .flatMap(List::stream))
                .toList();

        private TaskTypes() {}
    }

    /** BPMN error codes handlers may throw. */
    public static final class Errors {
        public static final String OWNER_INVALID = "OWNER_INVALID";
        /** The cohort builder was stopped (kill switch, or no longer ACTIVE): the run ends as failed. */
        public static final String COHORT_STOPPED = "COHORT_STOPPED";
        /** A collection build cannot finish (its input unreadable, retries spent): the version ends as FAILED. */
        public static final String COLLECTION_BUILD_STOPPED = "COLLECTION_BUILD_STOPPED";
        /** A break-the-glass review is past its due time without a finding: security operations are told. */
        public static final String BREAK_GLASS_REVIEW_OVERDUE = "BREAK_GLASS_REVIEW_OVERDUE";
        /** A break-the-glass review's finding is recorded already (its message was missed): the process ends. */
        public static final String BREAK_GLASS_REVIEW_CLOSED = "BREAK_GLASS_REVIEW_CLOSED";
        /** The removal function refused (a hold placed meanwhile, the archive no longer the chain's start): kept. */
        public static final String AUDIT_REMOVAL_REFUSED = "AUDIT_REMOVAL_REFUSED";

        private Errors() {}
    }
}
