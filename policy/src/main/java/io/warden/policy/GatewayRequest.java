package io.warden.policy;

import io.warden.clinical.SeriesVectors;
import io.warden.clinical.VolumeEmbeddings;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One built-in tool's call through the gateway. A call gives exactly one query: a text, a vector, an image or a
 * series; which ones each built-in tool takes, its listed input schema says.
 *
 * @param collection   the retrieval collection to search
 * @param dataset      the data scope the call reads (records carry it as their {@code dataset} metadata)
 * @param purposeOfUse an HL7 v3 PurposeOfUse code
 * @param text         the query text (text-search, cohort-search, classify)
 * @param vector       a ready query vector
 * @param image        an encoded image (PNG, JPEG), already decoded from base64 and size-checked by the edge
 * @param series       a DICOM series (volume-search)
 * @param k            how many results, or neighbours for a vote
 * @param filter       exact-match metadata filters
 * @param weighted     for classify: weigh each neighbour's vote by its similarity
 * @param aggregation  for volume-search: how slice embeddings combine into the volume's (median when absent)
 */
public record GatewayRequest(
        String collection,
        String dataset,
        @Nullable String purposeOfUse,
        @Nullable String text,
        float @Nullable [] vector,
        byte @Nullable [] image,
        SeriesVectors.@Nullable Series series,
        int k,
        @Nullable Map<String, String> filter,
        boolean weighted,
        VolumeEmbeddings.@Nullable Aggregation aggregation) {

    /** A text or vector query, as the search tools take it. */
    public static GatewayRequest search(
            String collection,
            String dataset,
            @Nullable String purposeOfUse,
            @Nullable String text,
            float @Nullable [] vector,
            int k,
            @Nullable Map<String, String> filter) {
        return new GatewayRequest(collection, dataset, purposeOfUse, text, vector, null, null, k, filter, false, null);
    }
}
