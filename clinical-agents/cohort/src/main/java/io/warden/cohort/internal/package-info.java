/**
 * The cohort runs' implementation: {@link io.warden.cohort.internal.CohortBuilds} (runs, their steps as workflow
 * tasks, publication, transfer), {@link io.warden.cohort.internal.CohortSources} (where data sources may point and
 * how they are read), {@link io.warden.cohort.internal.CohortSourceUpgrade} (sources of earlier runs registered at
 * start), the controllers of {@code /api/v1/cohort-runs} and {@code /api/v1/cohorts/{collection}/transfer}, and their
 * wiring under {@code warden.cohort} ({@link io.warden.cohort.internal.CohortProperties}). Every type here is
 * package-private.
 */
@NullMarked
package io.warden.cohort.internal;

import org.jspecify.annotations.NullMarked;
