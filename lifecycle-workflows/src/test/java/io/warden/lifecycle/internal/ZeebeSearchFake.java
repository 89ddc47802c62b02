package io.warden.lifecycle.internal;

import com.sun.net.httpserver.HttpServer;
import io.camunda.client.CamundaClient;
import io.warden.bpmn.BpmnProcesses;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Orchestration Cluster REST API's process-instance search, which the in-memory Zeebe engine lacks,
 * answered from that engine's own log: an instance is active from its process element's activation until
 * its completion or termination, and belongs to the agent its {@code agentId} variable names (the adapter
 * sets it to the business id it filters by). Only the filter the adapter sends is understood; any other
 * request is a 404, so a new REST call of the adapter fails here instead of passing unnoticed. Also reads
 * the log for the tests: how an instance ended, whether it waits on a timer.
 */
final class ZeebeSearchFake implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ZeebeInMemory zeebe;
    private final HttpServer server;

    private ZeebeSearchFake(ZeebeInMemory zeebe, HttpServer server) {
        this.zeebe = zeebe;
        this.server = server;
    }

    static ZeebeSearchFake start(ZeebeInMemory zeebe) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ZeebeSearchFake fake = new ZeebeSearchFake(zeebe, server);
            server.createContext("/", exchange -> {
                try (exchange) {
                    byte[] body;
                    int status;
                    if (exchange.getRequestMethod().equals("POST")
                            && exchange.getRequestURI().getPath().equals("/v2/process-instances/search")) {
                        body = fake.search(
                                        JSON.readTree(exchange.getRequestBody().readAllBytes()))
                                .getBytes(StandardCharsets.UTF_8);
                        status = 200;
                    } else {
                        body = "{\"status\":404,\"title\":\"not faked\"}".getBytes(StandardCharsets.UTF_8);
                        status = 404;
                    }
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(status, body.length);
                    exchange.getResponseBody().write(body);
                }
            });
            server.start();
            return fake;
        } catch (IOException e) {
            throw new IllegalStateException("Could not start the search fake", e);
        }
    }

    /** The Camunda 8 adapter as production builds it, but preferring gRPC (the engine) over REST (this fake). */
    static Camunda8WorkflowEngine adapter(ZeebeInMemory zeebe, ZeebeSearchFake search, JobDispatcher dispatcher) {
        CamundaClient client = CamundaClient.newClientBuilder()
                .grpcAddress(zeebe.grpcAddress())
                .restAddress(URI.create(
                        "http://127.0.0.1:" + search.server.getAddress().getPort()))
                .preferRestOverGrpc(false)
                .defaultRequestTimeout(Duration.ofSeconds(10))
                .defaultMessageTimeToLive(Duration.ofHours(1))
                .build();
        return new Camunda8WorkflowEngine(client, dispatcher, Duration.ofHours(1), Duration.ofMinutes(1));
    }

    private String search(JsonNode request) {
        JsonNode filter = request.path("filter");
        String processId = filter.path("processDefinitionId").path("$eq").asString();
        String agentId = filter.path("businessId").path("$eq").asString();
        if (!filter.path("state").path("$eq").asString().equals("ACTIVE") || processId.isEmpty() || agentId.isEmpty()) {
            throw new IllegalArgumentException(
                    "the adapter searches active instances by process and business id, got " + request);
        }
        List<JsonNode> records = zeebe.records();
        Set<Long> instances = instances(records, processId, agentId);
        Set<Long> ended = processEvents(records, Set.of("ELEMENT_COMPLETED", "ELEMENT_TERMINATED"));
        ObjectNode response = JSON.createObjectNode();
        var items = response.putArray("items");
        instances.stream()
                .filter(key -> !ended.contains(key))
                .forEach(key -> items.addObject()
                        .put("processInstanceKey", Long.toString(key))
                        .put("processDefinitionId", processId)
                        .put("state", "ACTIVE")
                        .put("businessId", agentId));
        response.putObject("page").put("totalItems", items.size());
        return response.toString();
    }

    /** The element the agent's instance of the process ended at, once it completed. */
    Optional<String> endEvent(String processId, String agentId) {
        List<JsonNode> records = zeebe.records();
        Set<Long> instances = instances(records, processId, agentId);
        if (instances.stream().noneMatch(processEvents(records, Set.of("ELEMENT_COMPLETED"))::contains)) {
            return Optional.empty();
        }
        return events(records, "PROCESS_INSTANCE", "ELEMENT_COMPLETED")
                .filter(r -> r.path("value").path("bpmnElementType").asString().equals("END_EVENT"))
                .filter(r -> instances.contains(
                        r.path("value").path("processInstanceKey").asLong()))
                .map(r -> r.path("value").path("elementId").asString())
                .reduce((first, last) -> last);
    }

    /** Whether a timer was created for the agent's instance of the process and has not fired yet. */
    boolean timerCreated(String processId, String agentId) {
        List<JsonNode> records = zeebe.records();
        Set<Long> instances = instances(records, processId, agentId);
        Set<Long> created = events(records, "TIMER", "CREATED")
                .filter(r -> instances.contains(
                        r.path("value").path("processInstanceKey").asLong()))
                .map(r -> r.path("key").asLong())
                .collect(Collectors.toSet());
        Set<Long> done = events(records, "TIMER", "TRIGGERED")
                .map(r -> r.path("key").asLong())
                .collect(Collectors.toSet());
        return created.stream().anyMatch(key -> !done.contains(key));
    }

    private static Set<Long> instances(List<JsonNode> records, String processId, String agentId) {
        String value = JSON.writeValueAsString(agentId);
        Set<Long> ofAgent = events(records, "VARIABLE", "CREATED")
                .filter(r -> r.path("value").path("name").asString().equals(BpmnProcesses.CORRELATION_VARIABLE))
                .filter(r -> r.path("value").path("value").asString().equals(value))
                .map(r -> r.path("value").path("processInstanceKey").asLong())
                .collect(Collectors.toSet());
        return events(records, "PROCESS_INSTANCE", "ELEMENT_ACTIVATED")
                .filter(r -> r.path("value").path("bpmnElementType").asString().equals("PROCESS"))
                .filter(r -> r.path("value").path("bpmnProcessId").asString().equals(processId))
                .map(r -> r.path("value").path("processInstanceKey").asLong())
                .filter(ofAgent::contains)
                .collect(Collectors.toSet());
    }

    private static Set<Long> processEvents(List<JsonNode> records, Set<String> intents) {
        return records.stream()
                .filter(r -> r.path("recordType").asString().equals("EVENT"))
                .filter(r -> r.path("valueType").asString().equals("PROCESS_INSTANCE")
                        && intents.contains(r.path("intent").asString()))
                .filter(r -> r.path("value").path("bpmnElementType").asString().equals("PROCESS"))
                .map(r -> r.path("value").path("processInstanceKey").asLong())
                .collect(Collectors.toSet());
    }

    private static Stream<JsonNode> events(List<JsonNode> records, String valueType, String intent) {
        return records.stream()
                .filter(r -> r.path("recordType").asString().equals("EVENT"))
                .filter(r -> r.path("valueType").asString().equals(valueType)
                        && r.path("intent").asString().equals(intent));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
