package io.warden.lifecycle.internal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.warden.audit.AuditEvent;
import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.JobResult;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Camunda 8 adapter against a local fake of the Orchestration Cluster REST API (WireMock answering
 * its documented JSON under {@code /v2}): the exact requests the real client sends for deployment,
 * instance creation, message publication, job activation and the complete / error / fail commands, and
 * what the adapter does when the cluster errs or does not answer in time.
 */
class Camunda8WorkflowEngineTests {

    WireMockServer cluster;
    Camunda8WorkflowEngine engine;
    final RecordingAuditLog recording = new RecordingAuditLog();
    final List<AuditEvent> audited = recording.events;

    @BeforeEach
    void start() {
        cluster = new WireMockServer(wireMockConfig().dynamicPort());
        cluster.start();
        cluster.stubFor(post("/v2/jobs/activation").willReturn(okJson("{\"jobs\":[]}")));
        RecordingAuditLog audit = recording;
        engine = new Camunda8WorkflowEngine(
                new WorkflowProperties.Camunda8(
                        URI.create(cluster.baseUrl()), null, null, null, null, "zeebe-api", Duration.ofSeconds(2)),
                new JobDispatcher(audit, Duration.ofSeconds(7)),
                Duration.ofMinutes(30),
                Duration.ofMinutes(1));
        engine.start();
    }

    @AfterEach
    void stop() {
        engine.destroy();
        cluster.stop();
    }

    @Test
    void deploysEveryProcessFileInOneMultipartRequest() {
        cluster.stubFor(post("/v2/deployments").willReturn(okJson("""
                {"deploymentKey":"2251799813685249","tenantId":"<default>","deployments":[
                 {"processDefinition":{"processDefinitionId":"agent-onboarding","processDefinitionVersion":1,
                  "resourceName":"agent-onboarding.bpmn","tenantId":"<default>","processDefinitionKey":"2251799813685250"}}]}""")));
        engine.deploy(BpmnProcesses.ALL.stream().map(BpmnProcesses::resource).toList());
        var request =
                cluster.findAll(postRequestedFor(urlEqualTo("/v2/deployments"))).getFirst();
        assertThat(request.getHeader("Content-Type")).startsWith("multipart/form-data");
        assertThat(request.getParts())
                .extracting(part -> part.getName())
                .filteredOn("resources"::equals)
                .hasSize(BpmnProcesses.ALL.size());
        assertThat(request.getBodyAsString())
                .contains(
                        "agent-onboarding.bpmn",
                        "agent-recertification.bpmn",
                        "orphaned-agent.bpmn",
                        "agent-retirement.bpmn",
                        "agent-incident.bpmn",
                        "zeebe:taskDefinition type=\"verify-owner\"");
    }

    @Test
    void startsAnInstanceWithTheAgentAsBusinessIdUnlessOneIsActive() {
        cluster.stubFor(post("/v2/process-instances/search")
                .withRequestBody(containing("agent-running"))
                .willReturn(okJson("""
                        {"items":[{"processInstanceKey":"2251799813685300","processDefinitionId":"agent-onboarding","state":"ACTIVE"}],
                         "page":{"totalItems":1}}""")));
        cluster.stubFor(post("/v2/process-instances/search")
                .withRequestBody(containing("agent-new"))
                .willReturn(okJson("{\"items\":[],\"page\":{\"totalItems\":0}}")));
        cluster.stubFor(post("/v2/process-instances").willReturn(okJson("""
                {"processDefinitionId":"agent-onboarding","processDefinitionVersion":1,"tenantId":"<default>","variables":{},
                 "processDefinitionKey":"2251799813685250","processInstanceKey":"2251799813685301","businessId":"agent-new"}""")));

        assertThat(engine.start(BpmnProcesses.ONBOARDING, "agent-running", Map.of()))
                .isFalse();
        assertThat(engine.start(BpmnProcesses.ONBOARDING, "agent-new", Map.of("approvalId", "ap-1")))
                .isTrue();

        cluster.verify(postRequestedFor(urlEqualTo("/v2/process-instances/search"))
                .withRequestBody(matchingJsonPath("$.filter.processDefinitionId.$eq", equalTo("agent-onboarding")))
                .withRequestBody(matchingJsonPath("$.filter.state.$eq", equalTo("ACTIVE")))
                .withRequestBody(matchingJsonPath("$.filter.businessId.$eq", equalTo("agent-new"))));
        cluster.verify(1, postRequestedFor(urlEqualTo("/v2/process-instances")));
        cluster.verify(postRequestedFor(urlEqualTo("/v2/process-instances"))
                .withRequestBody(matchingJsonPath("$.processDefinitionId", equalTo("agent-onboarding")))
                .withRequestBody(matchingJsonPath("$.businessId", equalTo("agent-new")))
                .withRequestBody(matchingJsonPath("$.variables.agentId", equalTo("agent-new")))
                .withRequestBody(matchingJsonPath("$.variables.approvalId", equalTo("ap-1"))));
        assertThat(audited).extracting(AuditEvent::action).containsExactly("workflow.started");
    }

    @Test
    void publishesMessagesCorrelatedByTheAgentWithTheTimeToLive() {
        cluster.stubFor(post("/v2/messages/publication")
                .willReturn(okJson("{\"tenantId\":\"<default>\",\"messageKey\":\"2251799813685400\"}")));
        engine.correlate(BpmnProcesses.Messages.AGENT_APPROVED, "agent-7", Map.of("decidedBy", "carla"));
        cluster.verify(
                postRequestedFor(urlEqualTo("/v2/messages/publication")).withRequestBody(equalToJson("""
                {"name":"agent-approved","correlationKey":"agent-7","timeToLive":1800000,"variables":{"decidedBy":"carla"}}""", true, true)));
    }

    @Test
    void jobResultsBecomeCompleteErrorAndFailCommands() {
        cluster.resetMappings();
        cluster.stubFor(post("/v2/jobs/activation")
                .inScenario("jobs")
                .whenScenarioStateIs(Scenario.STARTED)
                .withRequestBody(matchingJsonPath("$.type", equalTo("verify-owner")))
                .willReturn(okJson(jobs(101, "verify-owner", "agent-ok")))
                .willSetStateTo("ok-given"));
        cluster.stubFor(post("/v2/jobs/activation")
                .inScenario("jobs")
                .whenScenarioStateIs("ok-given")
                .withRequestBody(matchingJsonPath("$.type", equalTo("verify-owner")))
                .willReturn(okJson(jobs(102, "verify-owner", "agent-gone")))
                .willSetStateTo("gone-given"));
        cluster.stubFor(post("/v2/jobs/activation")
                .inScenario("jobs")
                .whenScenarioStateIs("gone-given")
                .withRequestBody(matchingJsonPath("$.type", equalTo("verify-owner")))
                .willReturn(okJson(jobs(103, "verify-owner", "agent-flaky")))
                .willSetStateTo("done"));
        cluster.stubFor(post("/v2/jobs/activation").atPriority(10).willReturn(okJson("{\"jobs\":[]}")));
        for (long key : new long[] {101, 102, 103}) {
            for (String command : List.of("completion", "error", "failure")) {
                cluster.stubFor(post("/v2/jobs/" + key + "/" + command)
                        .willReturn(aResponse().withStatus(204)));
            }
        }
        engine.register("verify-owner", job -> switch (job.agentId()) {
            case "agent-ok" -> JobResult.complete(Map.of("ownerVerified", true));
            case "agent-gone" -> new JobResult.BpmnError(BpmnProcesses.Errors.OWNER_INVALID, "the owner left");
            default -> throw new IllegalStateException("the directory is down");
        });

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            cluster.verify(postRequestedFor(urlEqualTo("/v2/jobs/101/completion"))
                    .withRequestBody(matchingJsonPath("$.variables.ownerVerified", equalTo("true"))));
            cluster.verify(postRequestedFor(urlEqualTo("/v2/jobs/102/error"))
                    .withRequestBody(matchingJsonPath("$.errorCode", equalTo("OWNER_INVALID")))
                    .withRequestBody(matchingJsonPath("$.errorMessage", equalTo("the owner left"))));
            cluster.verify(postRequestedFor(urlEqualTo("/v2/jobs/103/failure"))
                    .withRequestBody(matchingJsonPath("$.retries", equalTo("2")))
                    .withRequestBody(matchingJsonPath("$.retryBackOff", equalTo("7000")))
                    .withRequestBody(matchingJsonPath("$.errorMessage", containing("the directory is down"))));
        });
        cluster.verify(postRequestedFor(urlEqualTo("/v2/jobs/activation"))
                .withRequestBody(matchingJsonPath("$.type", equalTo("verify-owner")))
                .withRequestBody(matchingJsonPath("$.worker", equalTo("warden")))
                .withRequestBody(matchingJsonPath("$.timeout", equalTo("60000"))));
        assertThat(audited).extracting(e -> e.details().get("result")).contains("completed", "bpmn-error", "failed");
    }

    @Test
    void aClusterErrorOrSilenceFailsTheCallSoTheTriggerIsRetried() {
        cluster.stubFor(
                post("/v2/process-instances/search").willReturn(okJson("{\"items\":[],\"page\":{\"totalItems\":0}}")));
        cluster.stubFor(
                post("/v2/process-instances")
                        .willReturn(
                                aResponse()
                                        .withStatus(503)
                                        .withHeader("Content-Type", "application/problem+json")
                                        .withBody(
                                                "{\"type\":\"about:blank\",\"title\":\"UNAVAILABLE\",\"status\":503,\"detail\":\"partition leader unavailable\"}")));
        assertThatThrownBy(() -> engine.start(BpmnProcesses.ONBOARDING, "agent-x", Map.of()))
                .hasMessageContaining("503");
        assertThat(audited)
                .as("nothing recorded for a start that did not happen")
                .isEmpty();

        cluster.stubFor(post("/v2/messages/publication").willReturn(okJson("{}").withFixedDelay(5_000)));
        long started = System.nanoTime();
        assertThatThrownBy(() -> engine.correlate(BpmnProcesses.Messages.AGENT_KEPT, "agent-x", Map.of()))
                .isInstanceOf(RuntimeException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("the request deadline")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aClusterWithoutAnAddressIsAConfigurationError() {
        assertThatThrownBy(() -> new Camunda8WorkflowEngine(
                        new WorkflowProperties.Camunda8(
                                null, null, null, null, null, "zeebe-api", Duration.ofSeconds(1)),
                        new JobDispatcher(recording, Duration.ofSeconds(1)),
                        Duration.ofMinutes(1),
                        Duration.ofMinutes(1)))
                .hasMessageContaining("warden.workflow.camunda8.rest-address");
    }

    private static String jobs(long key, String type, String agentId) {
        return """
                {"jobs":[{"type":"%s","processDefinitionId":"agent-onboarding","processDefinitionVersion":1,"elementId":"verifyOwner",
                  "customHeaders":{},"worker":"warden","retries":3,"deadline":%d,"variables":{"agentId":"%s"},"tenantId":"<default>",
                  "jobKey":"%d","processInstanceKey":"2251799813685301","processDefinitionKey":"2251799813685250",
                  "elementInstanceKey":"2251799813685302","kind":"BPMN_ELEMENT","listenerEventType":"UNSPECIFIED","tags":[]}]}""".formatted(type, System.currentTimeMillis() + 60_000, agentId, key);
    }
}
