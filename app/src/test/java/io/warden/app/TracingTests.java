package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.warden.WardenApplication;
import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A Warden with tracing on, exporting over OTLP/HTTP to a receiver in this test (the JDK's HTTP server decoding
 * OTLP's protobuf messages): one governed call's spans form the tree operators read, carry keys and codes but nothing
 * the call brought, and the call's audit records carry the trace id as their correlation id.
 */
class TracingTests {

    private static final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private static HttpServer receiver;
    private static ConfigurableApplicationContext warden;
    private static WardenClient client;

    /** One span as the collector received it; ids in lower-case hex ({@code ""} for a root's parent). */
    record ReceivedSpan(
            String name,
            String traceId,
            String spanId,
            String parentSpanId,
            int kind,
            Map<String, String> attributes,
            List<String> linkedTraceIds) {}

    @BeforeAll
    static void startReceiverAndWarden() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/v1/traces", exchange -> {
            try (InputStream body = exchange.getRequestBody()) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body.readAllBytes());
                request.getResourceSpansList()
                        .forEach(resource -> resource.getScopeSpansList()
                                .forEach(scope -> scope.getSpansList().forEach(span -> spans.add(received(span)))));
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        receiver.start();
        int port = IntegrationTest.freePort();
        Path data = Files.createTempDirectory("warden-traces-");
        warden = new SpringApplicationBuilder(WardenApplication.class)
                .run(
                        "--server.port=" + port,
                        "--warden.identity.issuer=http://localhost:" + port,
                        "--warden.data-dir=" + data,
                        "--warden.demo.enabled=true",
                        "--management.tracing.export.enabled=true",
                        "--management.opentelemetry.tracing.export.otlp.endpoint=http://127.0.0.1:"
                                + receiver.getAddress().getPort() + "/v1/traces",
                        "--management.opentelemetry.tracing.export.schedule-delay=100ms");
        client = new WardenClient("http://localhost:" + port);
        // a served collection for the calls: indexed, and catalogued for imaging-ct-deid, as
        // RevocationAcrossInstancesTests
        Embedder embedder = warden.getBean(Embedder.class);
        warden.getBean(VectorCollections.class)
                .replace(
                        "ct-series",
                        IndexKind.FLAT,
                        embedder.dimension(),
                        TextItem.records(
                                embedder,
                                List.of(new TextItem("s1", "CT chest axial", Map.of("dataset", "imaging-ct-deid")))));
        assertThat(client.call("POST", "/api/v1/collections", client.personToken("ada.admin"), """
                                {"name":"ct-series","dataScope":"imaging-ct-deid","modality":"TEXT",
                                 "embeddingModel":"all-MiniLM-L6-v2","indexKind":"FLAT","deidentified":true}""")
                        .status())
                .isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (warden != null) {
            warden.close();
        }
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void aGovernedCallsStepsAreChildrenOfItsRequestSpanAndItsRecordsCarryTheTraceId() {
        String token = client.agentToken("demo-retrieval-agent", "demo-retrieval-agent-secret");
        String query = "nodule in the left upper lobe of patient 4711";
        var answer =
                client.call("POST", "/gateway/v1/text-search", token, GatewayTests.call("imaging-ct-deid", query, 3));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);

        // the call's outcome record names its trace: the correlation id is the trace id the spans were exported with
        String compliance = client.personToken("carla.compliance");
        JsonNode outcome = client.get(
                        "/api/v1/audit/events?agent=demo-retrieval-agent&action=gateway.outcome&limit=1", compliance)
                .json()
                .get("items")
                .get(0);
        String traceId = outcome.get("correlationId").asString();
        assertThat(traceId).matches("[0-9a-f]{32}");
        ReceivedSpan decision = await().atMost(Duration.ofSeconds(20))
                .until(() -> named("warden.gateway.decision", traceId), found -> found != null);
        List<String> steps = List.of(
                "warden.gateway.authenticate",
                "warden.gateway.kill-switch",
                "warden.gateway.decision",
                "warden.gateway.audit",
                "warden.gateway.backend");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> steps.stream().allMatch(step -> named(step, traceId) != null));
        ReceivedSpan request = spans.stream()
                .filter(span -> span.spanId().equals(decision.parentSpanId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no parent span of the decision was exported: " + spans));
        assertThat(request.kind()).as("the request's server span").isEqualTo(2); // SPAN_KIND_SERVER
        assertThat(request.parentSpanId())
                .as("the request span is the trace's root")
                .isEmpty();
        assertThat(request.traceId()).isEqualTo(traceId);
        for (String step : steps) {
            ReceivedSpan span = Objects.requireNonNull(named(step, traceId), step);
            assertThat(span.parentSpanId())
                    .as(step + " is a child of the request span")
                    .isEqualTo(request.spanId());
            assertThat(span.attributes()).as(step).containsEntry("warden.agent", "demo-retrieval-agent");
            if (!step.equals("warden.gateway.authenticate")) {
                assertThat(span.attributes())
                        .as(step)
                        .containsEntry("warden.tool", "text-search")
                        .containsEntry("warden.edge", "REST")
                        .containsEntry("warden.dataset", "imaging-ct-deid");
            }
        }
        assertThat(decision.attributes()).containsEntry("warden.decision", "PERMIT");
        // nothing the call brought (its text, the token) is in any span of its trace
        for (ReceivedSpan span : spans) {
            if (span.traceId().equals(traceId)) {
                assertThat(span.attributes().values())
                        .as(span.name())
                        .noneMatch(value -> value.contains("nodule") || value.contains("4711"))
                        .noneMatch(value ->
                                value.contains(token) || value.toLowerCase().contains("bearer"));
            }
        }

        // the decision record of the same call carries it too
        JsonNode decided = newest(compliance, "gateway.decision", traceId);
        assertThat(decided).as("the decision record of trace " + traceId).isNotNull();
        assertThat(decided.get("requestDigest")).isEqualTo(outcome.get("requestDigest"));

        // the audit writer's group commit that made the decision durable is a span of its own, linked to the call
        ReceivedSpan commit = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> spans.stream()
                                .filter(span -> span.name().equals("warden.audit.write")
                                        && span.linkedTraceIds().contains(traceId))
                                .findFirst()
                                .orElse(null),
                        found -> found != null);
        assertThat(commit.parentSpanId())
                .as("the writer thread belongs to no call")
                .isEmpty();
        assertThat(commit.traceId()).isNotEqualTo(traceId);
        assertThat(commit.attributes()).containsKey("warden.audit.batch");
    }

    @Test
    void aWorkflowJobIsASpanNamingItsProcessTaskAndAgent() {
        var registered = client.call(
                "POST", "/api/v1/agents", client.personToken("otto.owner"), """
                {"name":"traced-%s","kind":"RETRIEVAL","purpose":"Traces test agent","submit":true,
                 "dataScopes":["imaging-ct-deid"],"tools":["text-search"]}""".formatted(UUID.randomUUID()));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();

        // submitting starts the onboarding, whose first job asks for the approval
        ReceivedSpan job = await().atMost(Duration.ofSeconds(30))
                .until(
                        () -> spans.stream()
                                .filter(span -> span.name().equals("warden.workflow.job")
                                        && id.equals(span.attributes().get("warden.agent")))
                                .findFirst()
                                .orElse(null),
                        found -> found != null);
        assertThat(job.parentSpanId()).as("a job is the root of its trace").isEmpty();
        assertThat(job.attributes())
                .containsEntry("warden.process", "agent-onboarding")
                .containsEntry("warden.result", "completed")
                .containsKey("warden.task");
        // its audit record commits in a writer span linked to the job's trace
        await().atMost(Duration.ofSeconds(20))
                .until(() -> spans.stream()
                        .anyMatch(span -> span.name().equals("warden.audit.write")
                                && span.linkedTraceIds().contains(job.traceId())));
    }

    @Test
    void aCallThatArrivesWithATraceparentContinuesThatTraceAndItsRecordsCarryIt() {
        String token = client.agentToken("demo-retrieval-agent", "demo-retrieval-agent-secret");
        String incoming = "0af7651916cd43dd8448eb211c80319c";
        var answer = client.send(client.request("/gateway/v1/text-search")
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("traceparent", "00-" + incoming + "-b7ad6b7169203331-01")
                .POST(HttpRequest.BodyPublishers.ofString(GatewayTests.call("imaging-ct-deid", "CT chest", 3))));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);

        ReceivedSpan decision = await().atMost(Duration.ofSeconds(20))
                .until(() -> named("warden.gateway.decision", incoming), found -> found != null);
        ReceivedSpan request = spans.stream()
                .filter(span -> span.spanId().equals(decision.parentSpanId()))
                .findFirst()
                .orElseThrow();
        assertThat(request.parentSpanId()).as("the caller's span").isEqualTo("b7ad6b7169203331");
        JsonNode record = await().atMost(Duration.ofSeconds(10))
                .until(
                        () -> newest(client.personToken("carla.compliance"), "gateway.decision", incoming),
                        found -> found != null);
        assertThat(record.get("details").get("traceId").asString()).isEqualTo(incoming);
    }

    @Test
    void aLogLineWrittenInsideASpanCarriesItsTraceAndSpanIds() {
        // Warden's own loggers, under the configuration the app runs with: the ids reach log lines through the
        // logging context (MDC), which the plain pattern's correlation field and the structured formats print
        Logger logger = (Logger) LoggerFactory.getLogger("io.warden.policy.internal.GatewayService");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        Tracer tracer = warden.getBean(Tracer.class);
        var span = tracer.nextSpan().name("log-line-check").start();
        try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
            logger.warn("a line inside a span");
        } finally {
            span.end();
            logger.detachAppender(lines);
        }
        logger.warn("a line outside any span");
        assertThat(lines.list).hasSize(1);
        Map<String, String> context = lines.list.getFirst().getMDCPropertyMap();
        assertThat(context)
                .containsEntry("traceId", span.context().traceId())
                .containsEntry("spanId", span.context().spanId());
        assertThat(span.context().traceId()).matches("[0-9a-f]{32}");
    }

    private static @Nullable ReceivedSpan named(String name, String traceId) {
        return spans.stream()
                .filter(span -> span.name().equals(name) && span.traceId().equals(traceId))
                .findFirst()
                .orElse(null);
    }

    /** The newest record of {@code action} by the demo agent whose correlation id is {@code correlationId}, or null. */
    private static @Nullable JsonNode newest(String token, String action, String correlationId) {
        JsonNode items = client.get(
                        "/api/v1/audit/events?agent=demo-retrieval-agent&action=" + action + "&limit=20", token)
                .json()
                .get("items");
        for (JsonNode item : items) {
            if (correlationId.equals(item.path("correlationId").asString(""))) {
                return item;
            }
        }
        return null;
    }

    private static ReceivedSpan received(Span span) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (KeyValue attribute : span.getAttributesList()) {
            attributes.put(attribute.getKey(), attribute.getValue().getStringValue());
        }
        HexFormat hex = HexFormat.of();
        return new ReceivedSpan(
                span.getName(),
                hex.formatHex(span.getTraceId().toByteArray()),
                hex.formatHex(span.getSpanId().toByteArray()),
                hex.formatHex(span.getParentSpanId().toByteArray()),
                span.getKindValue(),
                attributes,
                span.getLinksList().stream()
                        .map(link -> hex.formatHex(link.getTraceId().toByteArray()))
                        .toList());
    }
}
