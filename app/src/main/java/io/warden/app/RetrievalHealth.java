package io.warden.app;

import io.warden.clinical.Retrieval;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health/retrieval}: UP once the text model is loaded, with the model, its execution
 * provider and each collection's current version and size as details (shown to operators only).
 */
@Component("retrievalHealthIndicator")
class RetrievalHealth extends AbstractHealthIndicator {

    private final Retrieval retrieval;

    RetrievalHealth(Retrieval retrieval) {
        this.retrieval = retrieval;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Retrieval.Status status = retrieval.status();
        builder.up()
                .withDetail("textModel", status.textModel())
                .withDetail("dimension", status.dimension())
                .withDetail("executionProvider", status.executionProvider())
                .withDetail("collections", status.collections());
    }
}
