/**
 * Lifecycle workflows: the workflow-engine port ({@link io.warden.lifecycle.WorkflowEngine}) with its
 * embedded (Operaton, in-process, state in Warden's PostgreSQL) and Camunda 8 adapters, the engine-agnostic
 * job handlers of every service task in the {@code bpmn} module's processes, the triggers that start
 * processes and deliver decisions from registry events, and the lifecycle rules.
 *
 * <p>May depend on {@code registry}, {@code audit} and {@code bpmn}.
 */
@NullMarked
@ApplicationModule(
        displayName = "lifecycle-workflows",
        allowedDependencies = {"registry", "registry :: events", "audit", "audit :: problem", "bpmn"})
package io.warden.lifecycle;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
