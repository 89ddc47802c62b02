package io.warden.clinical;

/**
 * A governed collection as other modules see it.
 *
 * @param dataScope      the registry data scope whose readers may search it
 * @param embeddingModel the model its vectors come from, as {@link Embedder#modelName()} or
 *                       {@link ImageEmbedder#modelName()} answers
 * @param labelField     the metadata key a k-NN vote reads (default {@code label})
 * @param currentVersion the version every instance searches
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

    /** Whether the collection is served. */
    public enum Status {
        ACTIVE,
        RETIRED
    }
}
