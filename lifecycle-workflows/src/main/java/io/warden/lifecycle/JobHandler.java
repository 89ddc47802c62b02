package io.warden.lifecycle;

/** Does the work of one task type, for either engine. Must be idempotent: an engine may deliver a job twice. */
@FunctionalInterface
public interface JobHandler {

    JobResult handle(Job job);
}
