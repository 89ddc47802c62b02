/**
 * The BPMN process definitions (onboarding, recertification, orphaned owner, dormancy retirement,
 * incident), shipped as resources and valid for both the embedded engine and Camunda 8.
 *
 * <p>Depends on no other Warden module. {@link io.warden.bpmn.BpmnProcesses} names the files, their
 * messages and their task types; the files open in Camunda Modeler.
 */
@NullMarked
@ApplicationModule(
        displayName = "bpmn",
        allowedDependencies = {})
package io.warden.bpmn;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
