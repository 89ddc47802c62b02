package io.warden.policy.internal;

import io.warden.clinical.Neighbours;
import io.warden.clinical.Retrieval;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchHit;
import io.warden.clinical.SearchQuery;
import io.warden.clinical.cohort.SeriesDescriptions;
import io.warden.policy.GatewayRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@code cohort-search} tool over a cohort collection: a natural-language query finds the series whose
 * descriptions are nearest, one hit per series (its best description), with exact filters on modality, body
 * part (the anatomy region) and plane, and a least slice count. A series has five descriptions, so the search
 * asks the collection for enough descriptions to fill {@code k} series, and once more for the most when the
 * slice filter leaves too few.
 */
final class CohortSearch {

    static final String TOOL = "cohort-search";
    static final Set<String> FILTERS = Set.of("modality", "bodyPart", "orientation", "minSlices");
    private static final int MOST = 10_000;

    private CohortSearch() {}

    /** What is wrong with the filter, or null when it is valid. */
    static @Nullable String invalid(@Nullable Map<String, String> filter) {
        if (filter == null) {
            return null;
        }
        for (Map.Entry<String, String> entry : filter.entrySet()) {
            if (!FILTERS.contains(entry.getKey())) {
                return "cohort-search filters on " + FILTERS + ", not '" + entry.getKey() + "'";
            }
            if (entry.getKey().equals("minSlices")) {
                try {
                    if (Integer.parseInt(entry.getValue()) < 0) {
                        return "filter.minSlices must not be negative";
                    }
                } catch (NumberFormatException e) {
                    return "filter.minSlices must be a whole number, got '" + entry.getValue() + "'";
                }
            }
        }
        return null;
    }

    /** The best description of each of up to {@code k} series, with the version of the collection searched last. */
    static Neighbours search(Retrieval retrieval, GatewayRequest request, int k, Map<String, String> filter) {
        Map<String, String> exact = new HashMap<>();
        filter.forEach((key, value) -> exact.put(key, key.equals("dataset") ? value : value.toUpperCase(Locale.ROOT)));
        String min = exact.remove("minSlices");
        int minSlices = min == null ? 0 : Integer.parseInt(min);
        int wanted = Math.min(MOST, k * SeriesDescriptions.COUNT * (minSlices > 0 ? 4 : 1));
        Neighbours found = find(retrieval, request, wanted, exact);
        List<SearchHit> series = bestPerSeries(found.hits(), minSlices, k);
        if (series.size() < k && wanted < MOST) {
            found = find(retrieval, request, MOST, exact);
            series = bestPerSeries(found.hits(), minSlices, k);
        }
        return new Neighbours(found.collection(), found.version(), series);
    }

    private static Neighbours find(Retrieval retrieval, GatewayRequest request, int n, Map<String, String> filter) {
        if (request.vector() != null) {
            return retrieval.search(request.collection(), new SearchQuery.Vector(request.vector()), n, filter);
        }
        if (request.text() == null || request.text().isBlank()) {
            throw new RetrievalRejected("empty-text", "The cohort-search call needs a text or a vector");
        }
        return retrieval.search(request.collection(), new SearchQuery.Text(request.text()), n, filter);
    }

    /** The hits are best first, so a series' first hit is its best description. */
    private static List<SearchHit> bestPerSeries(List<SearchHit> hits, int minSlices, int k) {
        Map<String, SearchHit> best = new LinkedHashMap<>();
        for (SearchHit hit : hits) {
            String series = hit.metadata().getOrDefault("series", hit.id());
            if (best.containsKey(series) || slices(hit) < minSlices) {
                continue;
            }
            best.put(series, new SearchHit(series, hit.score(), hit.metadata()));
            if (best.size() == k) {
                break;
            }
        }
        return new ArrayList<>(best.values());
    }

    private static int slices(SearchHit hit) {
        try {
            return Integer.parseInt(hit.metadata().getOrDefault("slices", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
