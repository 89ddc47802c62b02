package io.warden.lifecycle.internal;

import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The workflow engine, under {@code warden.workflow}.
 *
 * @param engine         {@code embedded} (Operaton in-process, the default) or {@code camunda8}
 * @param pollInterval   how often the embedded worker looks for tasks when idle
 * @param lockDuration   how long a fetched task stays locked to this instance
 * @param messageTtl     how long a message nobody waits for yet is kept
 * @param retries        attempts of a failing task before it becomes an incident
 * @param failureBackoff wait between attempts
 * @param camunda8       the Camunda 8 cluster, when {@code engine} is {@code camunda8}
 */
@ConfigurationProperties("warden.workflow")
record WorkflowProperties(
        @DefaultValue("embedded") String engine,
        @DefaultValue("PT0.2S") Duration pollInterval,
        @DefaultValue("PT1M") Duration lockDuration,
        @DefaultValue("PT1H") Duration messageTtl,
        @DefaultValue("3") int retries,
        @DefaultValue("PT10S") Duration failureBackoff,
        @DefaultValue Camunda8 camunda8) {

    public WorkflowProperties {
        if (!engine.equals("embedded") && !engine.equals("camunda8")) {
            throw new IllegalArgumentException("warden.workflow.engine is embedded or camunda8, got " + engine);
        }
        if (retries < 1) {
            throw new IllegalArgumentException("warden.workflow.retries must be at least 1, got " + retries);
        }
    }

    /**
     * A Camunda 8 cluster (self-managed or SaaS).
     *
     * @param restAddress  the Orchestration Cluster REST API, e.g. {@code https://bru-2.zeebe.camunda.io/<cluster-id>}
     * @param grpcAddress  the gateway's gRPC address (unused while the client prefers REST)
     * @param clientId     OAuth client id; none for an unsecured local cluster
     * @param clientSecret OAuth client secret
     * @param tokenUrl     the OAuth token endpoint
     * @param audience     the token audience
     * @param requestTimeout deadline of one request
     */
    public record Camunda8(
            @Nullable URI restAddress,
            @Nullable URI grpcAddress,
            @Nullable String clientId,
            @Nullable String clientSecret,
            @Nullable URI tokenUrl,
            @DefaultValue("zeebe-api") String audience,
            @DefaultValue("PT10S") Duration requestTimeout) {}
}
