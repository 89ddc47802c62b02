package io.warden.app;

import io.micrometer.tracing.Tracer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tracing is off unless {@code management.tracing.export.enabled} is true (docs/operations.md, "Traces"). Off, Spring
 * Boot would still run an OpenTelemetry tracer that records every span and exports none; this puts
 * {@link Tracer#NOOP} in its place, so the gateway's steps ({@code GatewaySpans}) and the request observations open no
 * span at all and the hot path pays nothing for tracing no collector receives.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "management.tracing.export.enabled", havingValue = false)
class TracingConfiguration {

    @Bean
    Tracer tracer() {
        return Tracer.NOOP;
    }
}
