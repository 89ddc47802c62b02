package io.warden.clinical.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.Neighbours;
import io.warden.clinical.Retrieval;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchQuery;
import io.warden.clinical.Vote;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Times every request to a retrieval service as {@code warden.retrieval.requests}, tagged with the operation
 * ({@code search}, {@code classify}), where it ran ({@code local}: this JVM's models and indexes, also what a
 * retrieval node serves; {@code remote}: a gateway's calls to the nodes) and its outcome ({@code ok},
 * {@code rejected} for a query the service refused, {@code error} for any other failure). Collections, queries
 * and agents never become tags: the labels stay few and carry nothing a caller chose. Thread-safe; every call
 * goes to the delegate unchanged.
 */
final class MeteredRetrieval implements Retrieval {

    private final Retrieval delegate;
    private final MeterRegistry registry;
    private final String mode;

    MeteredRetrieval(Retrieval delegate, MeterRegistry registry, String mode) {
        this.delegate = delegate;
        this.registry = registry;
        this.mode = mode;
        // registered up front, so that a dashboard's and an alert's series exist before the first request
        for (String operation : new String[] {"search", "classify"}) {
            for (String outcome : new String[] {"ok", "rejected", "error"}) {
                timer(operation, outcome);
            }
        }
    }

    @Override
    public Neighbours search(String collection, SearchQuery query, int k, Map<String, String> filter) {
        return timed("search", () -> delegate.search(collection, query, k, filter));
    }

    @Override
    public Vote classify(
            String collection,
            SearchQuery query,
            int k,
            String labelKey,
            boolean weighted,
            Map<String, String> filter) {
        return timed("classify", () -> delegate.classify(collection, query, k, labelKey, weighted, filter));
    }

    @Override
    public Optional<ImageEmbedder> localImageEmbedder() {
        return delegate.localImageEmbedder();
    }

    @Override
    public Status status() {
        return delegate.status();
    }

    private <T> T timed(String operation, Supplier<T> request) {
        // the registry's clock, so that a test registry with a mock clock controls the figures too
        Timer.Sample sample = Timer.start(registry);
        String outcome = "error";
        try {
            T answer = request.get();
            outcome = "ok";
            return answer;
        } catch (RetrievalRejected e) {
            outcome = "rejected";
            throw e;
        } finally {
            sample.stop(timer(operation, outcome));
        }
    }

    private Timer timer(String operation, String outcome) {
        return Timer.builder("warden.retrieval.requests")
                .description("Requests to the retrieval service, from the call to its answer or failure")
                .tag("operation", operation)
                .tag("mode", mode)
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .register(registry);
    }
}
