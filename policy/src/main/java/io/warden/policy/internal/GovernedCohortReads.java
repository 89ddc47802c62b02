package io.warden.policy.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.Outcome;
import io.warden.audit.problem.ProblemKind;
import io.warden.clinical.cohort.CohortPipeline;
import io.warden.clinical.cohort.CohortRuns;
import io.warden.policy.CohortReadRefused;
import io.warden.policy.CohortReads;
import io.warden.policy.KillSwitches;
import io.warden.policy.ReasonCodes;
import io.warden.registry.Actor;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.DataSources;
import io.warden.registry.Entitlement;
import io.warden.registry.Entitlements;
import io.warden.registry.EntitlementsUnavailable;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * {@link CohortReads} over the cohort builds: decides each read on the reader's {@link Entitlement}, the kill
 * switches and the reader's roles, serves it from {@link CohortRuns}, and records it. The record is written
 * after the read and before the answer, so a read whose record cannot be written is not answered.
 */
@Service
class GovernedCohortReads implements CohortReads {

    static final String ACTION = "cohort.read";

    /** Absolute paths and URLs in messages: a run's source and the files it skipped live there. */
    private static final Pattern LOCATIONS =
            Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://\\S+|(?<![\\w.])/[^\\s'\",;)]+");

    private final ObjectProvider<CohortRuns> runs;
    private final Entitlements entitlements;
    private final KillSwitches killSwitches;
    private final AuditLog audit;
    private final AgentQueries agents;
    private final DataSources catalogue;

    GovernedCohortReads(
            ObjectProvider<CohortRuns> runs,
            Entitlements entitlements,
            KillSwitches killSwitches,
            AuditLog audit,
            AgentQueries agents,
            DataSources catalogue) {
        this.agents = agents;
        this.catalogue = catalogue;
        this.runs = runs;
        this.entitlements = entitlements;
        this.killSwitches = killSwitches;
        this.audit = audit;
    }

    @Override
    public boolean available() {
        return runs.getIfAvailable() != null;
    }

    @Override
    public List<CohortRuns.Run> list(Actor reader) {
        List<CohortRuns.Run> all = builds().list();
        boolean oversight = oversight(reader);
        Predicate<String> entitled = oversight ? dataset -> true : entitlement(reader)::holds;
        List<CohortRuns.Run> shown = all.stream()
                .filter(run -> entitled.test(run.dataset()))
                // a kill switch on a run's dataset hides the run itself, and a retired builder's cohorts are gone
                .filter(run -> oversight || (!stopped(run) && !builderRetired(run)))
                .map(run -> view(reader, run))
                .toList();
        AuditEvent listed = AuditEvent.builder(
                        "cohort.listed", AuditActor.person(reader.id()), new AuditTarget("cohort-runs", "list"))
                .outcome(Outcome.SUCCESS)
                .detail("runs", shown.size())
                .build();
        audit.append(listed); // throws: an unaudited listing is not answered
        return shown;
    }

    @Override
    public CohortRuns.Run find(Actor reader, String runId) {
        CohortRuns.Run run = run(runId);
        String refusal = null;
        try {
            if (!oversight(reader)) {
                if (!entitlement(reader).holds(run.dataset())) {
                    throw notEntitled(reader, run);
                }
                if (stopped(run)) {
                    throw killed(run);
                }
                if (builderRetired(run)) {
                    throw retired(run);
                }
            }
        } catch (CohortReadRefused refused) {
            refusal = refused.reasons().getFirst();
            record(reader, run, null, "run", null, Map.of(), refusal);
            throw refused;
        }
        record(reader, run, null, "run", null, Map.of(), null);
        return view(reader, run);
    }

    @Override
    public CohortRuns.Run shown(Actor reader, CohortRuns.Run run) {
        return view(reader, run);
    }

    private boolean stopped(CohortRuns.Run run) {
        KillSwitches.Covered covered = killSwitches.covers(run.agentId(), "", run.dataset());
        return covered.dataset() || covered.global() || sourceMoved(run);
    }

    /**
     * Whether the run's data source is gone or now bound to another scope than the run's dataset: its records may
     * belong to a scope the run's readers do not hold, so the run is not read until it is rebuilt.
     */
    private boolean sourceMoved(CohortRuns.Run run) {
        if (run.sourceKey() == null) {
            return false; // made before data sources; the upgrade tied it to one or refused the start
        }
        return catalogue
                .find(run.sourceKey())
                .map(source -> !source.scopeKey().equals(run.dataset()))
                .orElse(true);
    }

    private CohortReadRefused killed(CohortRuns.Run run) {
        if (sourceMoved(run)) {
            return new CohortReadRefused(
                    ProblemKind.FORBIDDEN,
                    "cohort-source-changed",
                    ReasonCodes.COHORT_NOT_SERVED,
                    null,
                    "The data source of cohort " + run.cohort() + " was removed or bound to another scope; rebuild it",
                    Map.of());
        }
        return new CohortReadRefused(
                ProblemKind.FORBIDDEN,
                "kill-switch",
                ReasonCodes.KILL_SWITCH,
                null,
                "A kill switch stops reads of dataset " + run.dataset(),
                Map.of());
    }

    private static CohortReadRefused retired(CohortRuns.Run run) {
        return new CohortReadRefused(
                ProblemKind.FORBIDDEN,
                "cohort-retired",
                ReasonCodes.COHORT_NOT_SERVED,
                null,
                "Cohort " + run.cohort() + " was retired with the agent that built it",
                Map.of());
    }

    @Override
    public List<CohortPipeline.Point> points(Actor reader, String runId, @Nullable PurposeOfUse purpose) {
        CohortRuns.Run run = run(runId);
        return read(reader, run, purpose, "points", null, Map.of(), () -> builds().points(run.id()));
    }

    @Override
    public List<CohortRuns.Match> search(
            Actor reader, String runId, String query, int k, @Nullable PurposeOfUse purpose) {
        CohortRuns.Run run = run(runId);
        return read(
                reader,
                run,
                purpose,
                "search",
                sha256(query),
                Map.of("k", String.valueOf(k)),
                () -> builds().search(run.id(), query, k));
    }

    @Override
    public SortedSet<PurposeOfUse> purposes(Actor reader, String runId) {
        CohortRuns.Run run = run(runId);
        SortedSet<PurposeOfUse> purposes = new TreeSet<>();
        if (oversight(reader)) {
            purposes.add(PurposeOfUse.HSYSADMIN);
        }
        try {
            purposes.addAll(entitlements.entitlement(reader.id()).purposesOn(run.dataset()));
        } catch (EntitlementsUnavailable e) {
            if (!oversight(reader)) {
                throw unavailable(e);
            }
        }
        return purposes;
    }

    private <T> T read(
            Actor reader,
            CohortRuns.Run run,
            @Nullable PurposeOfUse asked,
            String view,
            @Nullable String digest,
            Map<String, String> details,
            Supplier<T> serve) {
        PurposeOfUse purpose;
        try {
            purpose = decide(reader, run, asked);
        } catch (CohortReadRefused refused) {
            if (refused.kind() != ProblemKind.INVALID) {
                record(
                        reader,
                        run,
                        asked,
                        view,
                        digest,
                        details,
                        refused.reasons().getFirst());
            }
            throw refused;
        }
        T answer = serve.get();
        record(reader, run, purpose, view, digest, details, null);
        return answer;
    }

    /** The purpose the read is made under, or a refusal; the kill switch comes first, as it does for agents. */
    private PurposeOfUse decide(Actor reader, CohortRuns.Run run, @Nullable PurposeOfUse asked) {
        if (stopped(run)) {
            throw killed(run);
        }
        boolean oversight = oversight(reader);
        if (!oversight && builderRetired(run)) {
            // a cohort is retired with the builder that made it: only admins and compliance may still look at it
            throw retired(run);
        }
        if (oversight && (asked == null || asked == PurposeOfUse.HSYSADMIN)) {
            return PurposeOfUse.HSYSADMIN;
        }
        SortedSet<PurposeOfUse> held = entitlement(reader).purposesOn(run.dataset());
        if (held.isEmpty() && !oversight) {
            throw notEntitled(reader, run);
        }
        if (asked == null) {
            if (held.size() == 1) {
                return held.first();
            }
            throw new CohortReadRefused(
                    ProblemKind.INVALID,
                    "purpose-required",
                    ReasonCodes.PURPOSE_REQUIRED,
                    "purposeOfUse",
                    "You may read dataset " + run.dataset() + " under " + held + "; name one as purposeOfUse",
                    Map.of("choices", held.stream().map(Enum::name).toList()));
        }
        if (!held.contains(asked)) {
            throw new CohortReadRefused(
                    ProblemKind.FORBIDDEN,
                    "purpose-not-granted",
                    ReasonCodes.PURPOSE_NOT_GRANTED,
                    "purposeOfUse",
                    "You may not read dataset " + run.dataset() + " under " + asked
                            + (held.isEmpty() ? "" : "; you may under " + held),
                    Map.of());
        }
        return asked;
    }

    private boolean builderRetired(CohortRuns.Run run) {
        try {
            return agents.findAgent(AgentId.of(run.agentId()))
                    .map(agent -> agent.status() == AgentStatus.RETIRED)
                    .orElse(true);
        } catch (IllegalArgumentException notAnId) {
            return true; // a run names its builder by id; anything else is not a builder that can vouch for it
        }
    }

    private Entitlement entitlement(Actor reader) {
        try {
            return entitlements.entitlement(reader.id());
        } catch (EntitlementsUnavailable e) {
            throw unavailable(e);
        }
    }

    private static CohortReadRefused unavailable(EntitlementsUnavailable e) {
        return new CohortReadRefused(
                ProblemKind.UNAVAILABLE,
                EntitlementsUnavailable.CODE,
                ReasonCodes.DECISION_UNAVAILABLE,
                null,
                Objects.requireNonNullElse(e.getMessage(), "The entitlements cannot be read"),
                Map.of());
    }

    private static CohortReadRefused notEntitled(Actor reader, CohortRuns.Run run) {
        return new CohortReadRefused(
                ProblemKind.FORBIDDEN,
                "not-entitled",
                ReasonCodes.SCOPE_NOT_GRANTED,
                null,
                "You hold no entitlement on dataset " + run.dataset()
                        + "; an admin grants one to a directory group of yours",
                Map.of("dataset", run.dataset()));
    }

    private void record(
            Actor reader,
            CohortRuns.Run run,
            @Nullable PurposeOfUse purpose,
            String view,
            @Nullable String digest,
            Map<String, String> details,
            @Nullable String refusal) {
        AuditEvent.Builder event = AuditEvent.builder(
                        ACTION, AuditActor.person(reader.id()), new AuditTarget("cohort-run", run.id()))
                .dataset(run.dataset())
                .decision(refusal == null ? "PERMIT" : "DENY")
                .purposeOfUse(purpose == null ? null : purpose.name())
                .requestDigest(digest)
                .outcome(refusal == null ? Outcome.SUCCESS : Outcome.MINOR_FAILURE)
                .detail("view", view)
                .detail("cohort", run.cohort())
                .detail("builder", run.agentId())
                .details(details);
        if (refusal != null) {
            event.reason(refusal);
        }
        audit.append(event.build());
    }

    private CohortRuns.Run run(String runId) {
        return builds().find(runId).orElseThrow(() -> new RegistryException.NotFound("cohort-run", runId));
    }

    private CohortRuns builds() {
        CohortRuns builds = runs.getIfAvailable();
        if (builds == null) {
            throw new RegistryException.NotFound(
                    "cohort-run", "(the cohort builder runs on the retrieval nodes of this deployment)");
        }
        return builds;
    }

    private static boolean oversight(Actor reader) {
        return reader.has(Role.ADMIN) || reader.has(Role.COMPLIANCE);
    }

    /** Admins see where a run reads from; anyone else sees the kind of source only, and no paths in messages. */
    private static CohortRuns.Run view(Actor reader, CohortRuns.Run run) {
        if (reader.has(Role.ADMIN)) {
            return run;
        }
        return new CohortRuns.Run(
                run.id(),
                run.cohort(),
                run.agentId(),
                run.dataset(),
                run.sourceKey(),
                run.sourceKind(),
                "",
                run.collection(),
                run.status(),
                run.indexVersion(),
                run.instances(),
                run.series(),
                run.skipped(),
                hide(run.message(), run.source()),
                run.requestedBy(),
                run.startedAt(),
                run.finishedAt(),
                run.steps().stream()
                        .map(step -> new CohortRuns.Step(
                                step.name(),
                                step.status(),
                                step.done(),
                                step.total(),
                                step.startedAt(),
                                step.finishedAt(),
                                hide(step.message(), run.source())))
                        .toList());
    }

    private static @Nullable String hide(@Nullable String message, String source) {
        if (message == null) {
            return null;
        }
        String plain = source.isEmpty() ? message : message.replace(source, "<source>");
        return LOCATIONS.matcher(plain).replaceAll("<location>");
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
