package io.warden.clinical;

import java.util.Objects;

/**
 * A governed collection as the catalog records it.
 *
 * @param name           the collection's name, {@code [a-z0-9][a-z0-9-]{0,62}}
 * @param displayName    what people read
 * @param dataScope      the registry data scope the collection belongs to: only calls on that dataset read it
 * @param modality       text, image or volume
 * @param embeddingModel the model its vectors come from, as {@code Embedder.modelName()} or
 *                       {@code ImageEmbedder.modelName()} answers
 * @param indexKind      how its versions are searched
 * @param deidentified   whether its items are de-identified
 * @param labelField     the metadata key the k-NN votes read ({@code label} by default)
 * @param status         ACTIVE, or RETIRED (searches refused)
 * @param currentVersion the version searches read; 0 while the collection has none
 */
public record CollectionInfo(
        String name,
        String displayName,
        String dataScope,
        Modality modality,
        String embeddingModel,
        IndexKind indexKind,
        boolean deidentified,
        String labelField,
        Status status,
        long currentVersion) {

    public CollectionInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(dataScope, "dataScope");
        Objects.requireNonNull(modality, "modality");
        Objects.requireNonNull(embeddingModel, "embeddingModel");
        Objects.requireNonNull(indexKind, "indexKind");
        Objects.requireNonNull(labelField, "labelField");
        Objects.requireNonNull(status, "status");
    }

    /** Whether searches may read the collection. */
    public boolean active() {
        return status == Status.ACTIVE;
    }

    /** A collection's life: ACTIVE until retired, and RETIRED for good. */
    public enum Status {
        ACTIVE,
        RETIRED
    }
}
