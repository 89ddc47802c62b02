package io.warden.clinical.cohort;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Port to the cohort index builds: started by a person for an ACTIVE COHORT_BUILDER agent over a registered
 * data source whose scope the agent holds, run by the workflow engine as the {@code cohort-index-build} process,
 * listed with each step's progress, and kept until a newer run of the same builder's cohort is published. The portal's cohort explorer and the API read through it.
 */
public interface CohortRuns {

    /**
     * @param agentId the COHORT_BUILDER agent that builds; the cohort is its own
     * @param cohort  the cohort's name, unique per builder: its runs replace one another in the builder's own collection
     * @param source  the key of the registered data source to read; the agent must hold the source's data scope, which
     *                becomes the run's dataset
     */
    record StartRequest(String agentId, String cohort, String source) {}

    /** The state of one step of a run. */
    record Step(
            String name,
            String status,
            int done,
            int total,
            @Nullable Instant startedAt,
            @Nullable Instant finishedAt,
            @Nullable String message) {}

    /**
     * A run.
     *
     * @param status RUNNING, PUBLISHED, FAILED or REPLACED (a newer run of the cohort was published; its artifacts are gone)
     */
    record Run(
            String id,
            String cohort,
            String agentId,
            String dataset,
            @Nullable String sourceKey,
            String sourceKind,
            String source,
            String collection,
            String status,
            @Nullable Long indexVersion,
            int instances,
            int series,
            int skipped,
            @Nullable String message,
            String requestedBy,
            Instant startedAt,
            @Nullable Instant finishedAt,
            List<Step> steps) {}

    /** A series that matched an explorer query, with its best description's score. */
    record Match(String seriesInstanceUid, float score, String description) {}

    /** Who asks: an admin, or else only the builder agent's owner may start and republish its runs. */
    record Requester(String id, boolean admin) {}

    /**
     * Starts a build; refused with the field at fault when the agent, cohort name or source do not allow it, and as an
     * access rule (audited) when the agent does not hold the source's data scope.
     */
    Run start(StartRequest request, Requester requester);

    /** Every run, newest first. */
    List<Run> list();

    Optional<Run> find(String runId);

    /** The run's series with their 2-D coordinates (from its kept artifacts). */
    List<CohortPipeline.Point> points(String runId);

    /** The run's series nearest to a natural-language query, best first, searched in the run's own embeddings. */
    List<Match> search(String runId, String query, int k);

    /** Builds the cohort's collection again from a kept run (going back to it) and publishes that run. */
    Run republish(String runId, Requester requester);
}
