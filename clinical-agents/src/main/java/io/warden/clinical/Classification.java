package io.warden.clinical;

import java.util.List;
import java.util.Map;

/**
 * A k-NN vote: the winning label, the votes every label got (counts, or summed similarities when
 * distance-weighted) and the neighbours that voted.
 */
public record Classification(String label, Map<String, Double> votes, List<SearchHit> neighbours) {}
