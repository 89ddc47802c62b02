package io.warden.policy.internal;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The spans of the gateway's steps, children of the span the call runs in (the HTTP server's request span):
 * {@value #KILL_SWITCH}, {@value #DECISION}, {@value #AUDIT}, {@value #BACKEND}; the app's data-plane filter opens
 * {@code warden.gateway.authenticate} before them.
 *
 * <p>A span carries what an operator needs to find a slow or failing step and nothing a call brings with it: the tool
 * key, the edge, the agent's client id, the data scope's key, the decision and its reason codes, the backend's kind.
 * Never the arguments, query text, vectors, results, tokens, the person a call serves or a justification: spans leave
 * Warden for a collector whose access is not the audit trail's (docs/security.md, "Traces").
 *
 * <p>With no tracer (tracing off, {@link Tracer#NOOP}) every method runs the step and nothing else: no span, no
 * context, no allocation beyond the caller's lambda, so the gateway pays nothing for tracing it does not export.
 * Thread-safe.
 */
final class GatewaySpans {

    static final String KILL_SWITCH = "warden.gateway.kill-switch";
    static final String DECISION = "warden.gateway.decision";
    static final String AUDIT = "warden.gateway.audit";
    static final String BACKEND = "warden.gateway.backend";

    /** No tracing: each step runs as it is. */
    static final GatewaySpans NONE = new GatewaySpans(Tracer.NOOP);

    private final Tracer tracer;
    private final boolean off;

    GatewaySpans(Tracer tracer) {
        this.tracer = Objects.requireNonNull(tracer, "tracer");
        this.off = tracer == Tracer.NOOP;
    }

    /** Runs one step in a span named {@code name}, tagged by {@code tags}; a step that throws marks its span failed. */
    <T> T step(String name, Tags tags, Supplier<T> step) {
        if (off) {
            return step.get();
        }
        Span span = tracer.nextSpan().name(name);
        tags.apply(span);
        span.start();
        try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
            return step.get();
        } catch (RuntimeException | Error e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** Asks for a decision in a {@value #DECISION} span that also carries its outcome and reason codes. */
    <T> T decision(Tags tags, Supplier<T> decide, Function<T, Decided> decided) {
        if (off) {
            return decide.get();
        }
        return step(DECISION, tags, () -> {
            T result = decide.get();
            Span span = tracer.currentSpan();
            if (span != null) {
                Decided outcome = decided.apply(result);
                span.tag("warden.decision", outcome.allow() ? "PERMIT" : "DENY");
                if (!outcome.reasons().isEmpty()) {
                    span.tag("warden.reasons", String.join(",", outcome.reasons()));
                }
            }
            return result;
        });
    }

    /** A decision as its span shows it: reason codes are stable codes, never free text. */
    record Decided(boolean allow, List<String> reasons) {}

    /**
     * The trace id of the span the caller runs in: the request's, which the audit records of the call carry as their
     * correlation id. Null when tracing is off or the caller runs in no span.
     */
    @Nullable
    String currentTraceId() {
        if (off) {
            return null;
        }
        Span current = tracer.currentSpan();
        return current == null ? null : current.context().traceId();
    }

    /** {@code backend} run on another thread inside the caller's current span, so its own spans nest under it. */
    <T> Callable<T> carried(Callable<T> backend) {
        return off ? backend : tracer.currentTraceContext().wrap(backend);
    }

    /**
     * What a gateway span says about its call: keys and codes only (see the class comment for what never goes in).
     *
     * @param tool    the tool key
     * @param edge    REST, MCP or AUTHZEN
     * @param agent   the agent's client id, when known
     * @param dataset the data scope's key, when the call named one
     */
    record Tags(
            String tool,
            String edge,
            @Nullable String agent,
            @Nullable String dataset) {

        static Tags of(GatewayService.CallContext call) {
            return new Tags(
                    call.tool(),
                    call.edge().name(),
                    call.clientId(),
                    call.dataset().isEmpty() ? null : call.dataset());
        }

        void apply(Span span) {
            span.tag("warden.tool", tool).tag("warden.edge", edge);
            if (agent != null) {
                span.tag("warden.agent", agent);
            }
            if (dataset != null) {
                span.tag("warden.dataset", dataset);
            }
        }
    }
}
