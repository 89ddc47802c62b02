package io.warden.lifecycle.internal;

import io.camunda.client.CamundaClient;
import io.camunda.client.CamundaClientBuilder;
import io.camunda.client.CredentialsProvider;
import io.camunda.client.api.command.DeployResourceCommandStep1;
import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.api.search.enums.ProcessInstanceState;
import io.camunda.client.api.worker.JobClient;
import io.camunda.client.api.worker.JobWorker;
import io.warden.bpmn.BpmnProcesses;
import io.warden.lifecycle.Job;
import io.warden.lifecycle.JobHandler;
import io.warden.lifecycle.JobResult;
import io.warden.lifecycle.WorkflowEngine;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;

/**
 * The production adapter: a Camunda 8 cluster through its Java client (Apache-2.0) over the Orchestration
 * Cluster REST API. Processes carry the agent id as their business id and as the variable every message
 * is correlated by; messages are published with the configured time-to-live, which the broker keeps for
 * an instance that is not waiting yet. Jobs are pulled by one worker per task type and their handlers'
 * results become complete, throw-error or fail (with the remaining retries and the back-off) commands.
 * Whether an instance runs for an agent is a search, which the cluster answers from its secondary storage
 * (a start right after another may not see it yet; the business id keeps such a repeat recognisable).
 */
final class Camunda8WorkflowEngine implements WorkflowEngine, SmartLifecycle, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(Camunda8WorkflowEngine.class);

    private final CamundaClient client;
    private final JobDispatcher dispatcher;
    private final Duration messageTtl;
    private final Duration jobTimeout;
    private final Map<String, JobHandler> handlers = new ConcurrentHashMap<>();
    private final List<JobWorker> workers = new CopyOnWriteArrayList<>();
    private volatile boolean running;

    public Camunda8WorkflowEngine(
            WorkflowProperties.Camunda8 cluster, JobDispatcher dispatcher, Duration messageTtl, Duration jobTimeout) {
        if (cluster.restAddress() == null) {
            throw new IllegalArgumentException(
                    "Set warden.workflow.camunda8.rest-address (WARDEN_WORKFLOW_CAMUNDA8_REST_ADDRESS)"
                            + " to the cluster's REST API; the client's default would be this application's own port");
        }
        CamundaClientBuilder builder = CamundaClient.newClientBuilder()
                .restAddress(cluster.restAddress())
                .preferRestOverGrpc(true)
                .defaultRequestTimeout(cluster.requestTimeout())
                .defaultMessageTimeToLive(messageTtl);
        if (cluster.grpcAddress() != null) {
            builder.grpcAddress(cluster.grpcAddress());
        }
        if (cluster.clientId() != null) {
            if (cluster.tokenUrl() == null || cluster.clientSecret() == null) {
                throw new IllegalArgumentException(
                        "warden.workflow.camunda8.client-id needs client-secret and token-url");
            }
            CredentialsProvider credentials = CredentialsProvider.newCredentialsProviderBuilder()
                    .clientId(cluster.clientId())
                    .clientSecret(cluster.clientSecret())
                    .audience(cluster.audience())
                    .authorizationServerUrl(cluster.tokenUrl().toString())
                    .build();
            builder.credentialsProvider(credentials);
        }
        this.client = builder.build();
        this.dispatcher = dispatcher;
        this.messageTtl = messageTtl;
        this.jobTimeout = jobTimeout;
    }

    /** For tests and tools: an adapter on a client built elsewhere. */
    Camunda8WorkflowEngine(CamundaClient client, JobDispatcher dispatcher, Duration messageTtl, Duration jobTimeout) {
        this.client = client;
        this.dispatcher = dispatcher;
        this.messageTtl = messageTtl;
        this.jobTimeout = jobTimeout;
    }

    @Override
    public String kind() {
        return "camunda8";
    }

    @Override
    public void deploy(List<String> resources) {
        DeployResourceCommandStep1 command = client.newDeployResourceCommand();
        DeployResourceCommandStep1.DeployResourceCommandStep2 step = null;
        for (String resource : resources) {
            step = step == null ? command.addResourceFromClasspath(resource) : step.addResourceFromClasspath(resource);
        }
        if (step != null) {
            var deployment = step.send().join();
            log.info(
                    "Deployed {} processes to Camunda 8 (deployment {})",
                    deployment.getProcesses().size(),
                    deployment.getKey());
        }
    }

    @Override
    public boolean start(String processId, String agentId, Map<String, Object> variables) {
        if (running(processId, agentId)) {
            return false;
        }
        Map<String, Object> all = new HashMap<>(variables);
        all.put(BpmnProcesses.CORRELATION_VARIABLE, agentId);
        client.newCreateInstanceCommand()
                .bpmnProcessId(processId)
                .latestVersion()
                .businessId(agentId)
                .variables(all)
                .send()
                .join();
        dispatcher.record("workflow.started", agentId, processId);
        return true;
    }

    @Override
    public boolean running(String processId, String agentId) {
        return !client.newProcessInstanceSearchRequest()
                .filter(filter -> filter.processDefinitionId(processId)
                        .state(ProcessInstanceState.ACTIVE)
                        .businessId(agentId))
                .send()
                .join()
                .items()
                .isEmpty();
    }

    @Override
    public void correlate(String messageName, String agentId, Map<String, Object> variables) {
        client.newPublishMessageCommand()
                .messageName(messageName)
                .correlationKey(agentId)
                .timeToLive(messageTtl)
                .variables(variables)
                .send()
                .join();
        dispatcher.record("workflow.message", agentId, messageName);
    }

    @Override
    public void register(String taskType, JobHandler handler) {
        if (handlers.putIfAbsent(taskType, handler) != null) {
            throw new IllegalStateException("A handler for " + taskType + " is registered already");
        }
        if (running) {
            open(taskType, handler);
        }
    }

    private void open(String taskType, JobHandler handler) {
        workers.add(client.newWorker()
                .jobType(taskType)
                .handler((jobClient, job) -> handle(jobClient, job, handler))
                .timeout(jobTimeout)
                .name("warden")
                .open());
    }

    void handle(JobClient jobs, ActivatedJob activated, JobHandler handler) {
        Map<String, Object> variables = new HashMap<>();
        activated.getVariablesAsMap().forEach((name, value) -> {
            if (value != null) {
                variables.put(name, value);
            }
        });
        Object agentId = variables.get(BpmnProcesses.CORRELATION_VARIABLE);
        Job job = new Job(
                Long.toString(activated.getKey()),
                activated.getBpmnProcessId(),
                activated.getType(),
                String.valueOf(agentId),
                variables,
                activated.getRetries());
        switch (dispatcher.run(handler, job)) {
            case JobResult.Complete complete ->
                jobs.newCompleteCommand(activated.getKey())
                        .variables(complete.variables())
                        .send()
                        .join();
            case JobResult.BpmnError error ->
                jobs.newThrowErrorCommand(activated.getKey())
                        .errorCode(error.code())
                        .errorMessage(error.message())
                        .send()
                        .join();
            case JobResult.Failure failure ->
                jobs.newFailCommand(activated.getKey())
                        .retries(Math.max(0, activated.getRetries() - 1))
                        .retryBackoff(failure.backoff())
                        .errorMessage(failure.message())
                        .send()
                        .join();
        }
    }

    /** Opens a job worker per registered task type (again, when a stopped context restarts). */
    @Override
    public synchronized void start() {
        if (!running) {
            running = true;
            handlers.forEach(this::open);
        }
    }

    /** Stops pulling jobs; the client stays open until the application closes. */
    @Override
    public synchronized void stop() {
        running = false;
        workers.forEach(JobWorker::close);
        workers.clear();
    }

    @Override
    public void destroy() {
        stop();
        client.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return 0;
    }
}
