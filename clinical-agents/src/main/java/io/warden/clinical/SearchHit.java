package io.warden.clinical;

import java.util.Map;

/** One neighbour: its id, its inner product with the query (cosine for unit vectors) and its metadata. */
public record SearchHit(String id, float score, Map<String, String> metadata) {}
