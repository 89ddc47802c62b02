package io.warden.clinical.internal;

import io.warden.clinical.Classification;
import io.warden.clinical.Embedder;
import io.warden.clinical.KnnClassifier;
import io.warden.clinical.Retrieval;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorCollections;
import java.util.List;
import java.util.Map;

/** The in-process retrieval service: the text embedder and the collections of this JVM. */
public final class LocalRetrieval implements Retrieval {

    private final Embedder textEmbedder;
    private final VectorCollections collections;
    private final String executionProvider;

    public LocalRetrieval(Embedder textEmbedder, VectorCollections collections, String executionProvider) {
        this.textEmbedder = textEmbedder;
        this.collections = collections;
        this.executionProvider = executionProvider;
    }

    @Override
    public List<SearchHit> searchByVector(String collection, float[] vector, int k, Map<String, String> filter) {
        return collections.search(collection, vector, k, filter);
    }

    @Override
    public List<SearchHit> searchByText(String collection, String text, int k, Map<String, String> filter) {
        return collections.search(collection, textEmbedder.embed(List.of(text)).getFirst(), k, filter);
    }

    @Override
    public Classification classifyText(String collection, String text, int k, String labelKey, boolean weighted,
            Map<String, String> filter) {
        return KnnClassifier.classify(searchByText(collection, text, k, filter), labelKey, weighted);
    }

    @Override
    public Status status() {
        return new Status(textEmbedder.modelName(), textEmbedder.dimension(), executionProvider,
                collections.all().stream().map(index -> new CollectionStatus(index.name(), index.version(), index.kind(),
                        index.dimension(), index.size())).toList());
    }
}
