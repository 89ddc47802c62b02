package io.warden.policy;

import io.warden.clinical.cohort.CohortPipeline;
import io.warden.clinical.cohort.CohortRuns;
import io.warden.registry.Actor;
import io.warden.registry.PurposeOfUse;
import java.util.List;
import java.util.SortedSet;
import org.jspecify.annotations.Nullable;

/**
 * People's reads of cohort runs, decided and audited; the API and the portal's cohort explorer both read
 * through it. A reader needs the run's dataset through their {@link io.warden.registry.Entitlements} (ADMIN and
 * COMPLIANCE read every run, as oversight under {@link PurposeOfUse#HSYSADMIN} unless they name a purpose they
 * hold). A DATASET or GLOBAL kill switch on the run's dataset stops points and search for everyone. Each points
 * and search read is recorded as {@code cohort.read} (the reader, the run, its dataset, the purpose; for a
 * search the query's SHA-256, never its text), refusals as well. Run views show the source's path or server
 * and paths in messages to ADMIN only.
 *
 * <p>Thread-safe. Fails closed: when entitlements cannot be read or the audit record cannot be written,
 * nothing is served.
 *
 * @throws CohortReadRefused from every method when the read is refused
 */
public interface CohortReads {

    /** Whether this deployment builds cohorts here (the cohort builder runs on the retrieval nodes otherwise). */
    boolean available();

    /** The runs the reader may read, newest first; a run they may not read is left out, not refused. */
    List<CohortRuns.Run> list(Actor reader);

    /** @throws io.warden.registry.RegistryException.NotFound when there is no such run */
    CohortRuns.Run find(Actor reader, String runId);

    /** The run's series with their 2-D coordinates; {@code purpose} null takes the reader's only purpose. */
    List<CohortPipeline.Point> points(Actor reader, String runId, @Nullable PurposeOfUse purpose);

    List<CohortRuns.Match> search(Actor reader, String runId, String query, int k, @Nullable PurposeOfUse purpose);

    /** The purposes the reader may name when reading this run; empty when they may not read it. */
    SortedSet<PurposeOfUse> purposes(Actor reader, String runId);

    /** The run as this person may see it (where it reads from is for admins only); no decision, no record. */
    CohortRuns.Run shown(Actor reader, CohortRuns.Run run);
}
