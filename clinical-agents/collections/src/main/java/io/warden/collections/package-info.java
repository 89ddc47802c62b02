/**
 * Governed collections: the named, versioned vector collections the built-in tools search, each bound to one registry
 * data scope. Admins create them on {@code /api/v1/collections}, fill them with builds (the {@code collection-build}
 * process reads an uploaded input through a {@code clinical-agents} {@code IngestSource}, commits its progress in
 * batches and switches the collection to the new version in one transaction), remove items, retire them and evaluate
 * their versions.
 *
 * <p>The catalog lives in PostgreSQL and the versions' files under shared storage, so every instance serves the version
 * the catalog names: this module implements {@code clinical-agents}' {@link io.warden.clinical.CollectionCatalog},
 * which the gateway reads before every built-in search, and the registry's {@link io.warden.registry.EvaluationGate}
 * (a RAG_CLASSIFIER is approved only on an evaluated collection where its data scope asks for one).
 *
 * <p>Its Java API is {@link io.warden.collections.ExternalCollections}: how the cohort runs enter the collections they
 * publish into the catalog; {@link io.warden.collections.GovernedCollections}: how the portal reads collections and
 * retires them or removes an item, through the API's own use cases; and {@link io.warden.collections.DicomArchives},
 * the port through which a build opens a registered DICOM data source (the cohort module, which owns the archive
 * roots and DICOMweb servers, implements it). Everything else is in {@code internal} (ADR 0012).
 */
@NullMarked
@ApplicationModule(
        displayName = "collections",
        allowedDependencies = {
            "audit",
            "audit :: problem",
            "registry",
            "bpmn",
            "lifecycle",
            "clinical",
            "clinical :: ingest",
            "clinical :: dicom"
        })
package io.warden.collections;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
