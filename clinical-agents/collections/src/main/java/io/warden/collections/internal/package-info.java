/**
 * The governed collections' implementation: {@link io.warden.collections.internal.CollectionService} (create, list,
 * upload, build, remove an item, retire), {@link io.warden.collections.internal.CollectionBuilds} (the
 * {@code collection-build} process's tasks), {@link io.warden.collections.internal.PostgresCollectionCatalog} (the
 * catalog the gateway reads, and the cohort runs' entry into it), {@link io.warden.collections.internal.ItemFiles}
 * (a version's committed items on shared storage), {@link io.warden.collections.internal.ZipImageSource} (a ZIP upload
 * of images read entry by entry, bounded against hostile archives) and {@link
 * io.warden.collections.internal.LabelLines} (the labels that go with image and DICOM inputs), {@link io.warden.collections.internal.CollectionEvaluations} (the
 * measures per version and the approval gate), the controller of {@code /api/v1/collections} and the wiring under
 * {@code warden.collections}. Every type here is package-private.
 */
@NullMarked
package io.warden.collections.internal;

import org.jspecify.annotations.NullMarked;
