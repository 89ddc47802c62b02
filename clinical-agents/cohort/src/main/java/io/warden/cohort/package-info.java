/**
 * Cohort runs: the imaging cohort builder as Warden runs it for COHORT_BUILDER agents. A run is started on
 * {@code /api/v1/cohort-runs}, its steps run as the {@code cohort-index-build} process's tasks on the workflow
 * engine, every step checks the builder's status and the kill switches (the built-in tool {@code cohort-build}),
 * and a finished run is published in place of its cohort's previous one. Reads go through the policy module's
 * {@code CohortReads}, which decides them on the reader's entitlements.
 *
 * <p>Its own module because it uses the registry, the kill switches and the workflow engine, while the policy
 * module already depends on {@code clinical-agents}: the build steps themselves stay in {@code clinical-agents}
 * (its {@code cohort} and {@code dicom} named interfaces), and this module runs them (ADR 0009).
 *
 * <p>It offers other modules no Java API: the HTTP endpoints, the {@code CohortRuns} and {@code CohortOwners} beans
 * (ports of {@code clinical-agents}) and the {@code cohort-build} built-in tool are what the rest of Warden sees.
 * Everything else is in {@code internal}.
 */
@NullMarked
@ApplicationModule(
        displayName = "cohort",
        allowedDependencies = {
            "audit",
            "registry",
            "bpmn",
            "lifecycle",
            "policy",
            "collections",
            "clinical",
            "clinical :: cohort",
            "clinical :: dicom",
            "clinical :: ingest"
        })
package io.warden.cohort;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
