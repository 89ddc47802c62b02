package io.warden.policy;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One tool call through the gateway.
 *
 * @param collection   the retrieval collection to search
 * @param dataset      the data scope the call reads (records carry it as their {@code dataset} metadata)
 * @param purposeOfUse an HL7 v3 PurposeOfUse code
 * @param text         the query text (text-search, cohort-search, classify)
 * @param vector       a query vector (image-search by embedding)
 * @param k            how many results
 * @param filter       exact-match metadata filters
 * @param labelKey     for classify: the metadata key holding labels
 */
public record GatewayRequest(
        String collection,
        String dataset,
        @Nullable String purposeOfUse,
        @Nullable String text,
        float @Nullable [] vector,
        int k,
        @Nullable Map<String, String> filter,
        @Nullable String labelKey) {}
