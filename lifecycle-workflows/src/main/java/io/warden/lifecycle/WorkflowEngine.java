package io.warden.lifecycle;

import java.util.List;
import java.util.Map;

/**
 * Port to a BPMN engine: the embedded engine in-process by default, a Camunda 8 cluster in production.
 * Both run the same files from the {@code bpmn} module and the same {@link JobHandler}s, with one contract:
 * <ul>
 *   <li>every instance carries the variable {@code agentId}, and at most one instance of a process runs
 *       for an agent at a time ({@link #start} is idempotent);</li>
 *   <li>a message is correlated by {@code agentId}; one that no instance waits for yet is kept for the
 *       message time-to-live and delivered when an instance starts waiting for it;</li>
 *   <li>a handler's {@link JobResult} completes the task, throws a BPMN error, or fails it with retries and
 *       a back-off.</li>
 * </ul>
 * Implementations are thread-safe.
 */
public interface WorkflowEngine {

    /** Deploys the process files (classpath resources); deploying unchanged files again creates no new version. */
    void deploy(List<String> resources);

    /**
     * Starts {@code processId} for the agent, unless one is running for it already.
     *
     * @return true when an instance was started, false when one was running
     */
    boolean start(String processId, String agentId, Map<String, Object> variables);

    /**
     * Starts {@code processId} for each agent that has none running (what a rule sweep does); the same
     * contract as {@link #start} for each, possibly in batches.
     *
     * @return how many instances were started
     */
    default int startAll(String processId, List<String> agentIds, Map<String, Object> variables) {
        int started = 0;
        for (String agentId : agentIds) {
            if (start(processId, agentId, variables)) {
                started++;
            }
        }
        return started;
    }

    /** Whether an instance of {@code processId} is running for the agent. */
    boolean running(String processId, String agentId);

    /** Delivers the message to the agent's instance waiting for it, now or when one starts waiting (within the time-to-live). */
    void correlate(String messageName, String agentId, Map<String, Object> variables);

    /** Sends the jobs of {@code taskType} to {@code handler}; register every type before the first job is due. */
    void register(String taskType, JobHandler handler);

    /** Which engine this is, for logs and health: {@code embedded} or {@code camunda8}. */
    String kind();
}
