package io.warden.lifecycle;

import java.util.Map;

/**
 * One unit of work of a service task, the same for both engines.
 *
 * @param key       the engine's id for the job
 * @param processId the BPMN process id, e.g. {@code agent-onboarding}
 * @param taskType  the job type / external-task topic
 * @param agentId   the instance's {@code agentId}
 * @param variables the instance's variables
 * @param retries   retries left before this attempt (the first attempt sees the configured number)
 */
public record Job(
        String key, String processId, String taskType, String agentId, Map<String, Object> variables, int retries) {

    public Job {
        variables = Map.copyOf(variables);
    }

    /** A variable as text, or {@code fallback} when absent. */
    public String text(String name, String fallback) {
        Object value = variables.get(name);
        return value == null ? fallback : value.toString();
    }
}
