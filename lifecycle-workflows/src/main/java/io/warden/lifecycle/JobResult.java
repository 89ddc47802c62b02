package io.warden.lifecycle;

import java.time.Duration;
import java.util.Map;

/** What a handler made of a job; each engine adapter maps it to its own API. */
public sealed interface JobResult {

    /** Done: the task completes with these variables merged into the instance. */
    record Complete(Map<String, Object> variables) implements JobResult {

        public Complete {
            variables = Map.copyOf(variables);
        }
    }

    /** A business outcome the process models: thrown as a BPMN error with this code, caught by a boundary event. */
    record BpmnError(String code, String message) implements JobResult {}

    /** A technical failure: retried after {@code backoff} while retries are left, then an incident. */
    record Failure(String message, Duration backoff) implements JobResult {}

    static JobResult complete() {
        return new Complete(Map.of());
    }

    static JobResult complete(Map<String, Object> variables) {
        return new Complete(variables);
    }
}
