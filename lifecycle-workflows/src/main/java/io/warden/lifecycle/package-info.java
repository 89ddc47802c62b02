/**
 * Lifecycle workflows: the workflow-engine port with its embedded and Camunda 8 adapters, the job
 * handlers, and the lifecycle rules (dormancy, orphaned owners, recertification, risk signals).
 *
 * <p>May depend on {@code registry}, {@code audit} and {@code bpmn}. Nothing is implemented yet.
 */
@NullMarked
@ApplicationModule(displayName = "lifecycle-workflows", allowedDependencies = {"registry", "audit", "bpmn"})
package io.warden.lifecycle;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
