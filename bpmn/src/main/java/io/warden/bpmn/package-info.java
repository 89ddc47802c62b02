/**
 * The BPMN process definitions (onboarding, recertification, orphaned owner, dormancy retirement,
 * incident), shipped as resources and valid for both the embedded engine and Camunda 8.
 *
 * <p>Depends on no other Warden module. Nothing is here yet: the lifecycle-workflows issue adds the files
 * and their model-validation tests.
 */
@NullMarked
@ApplicationModule(displayName = "bpmn", allowedDependencies = {})
package io.warden.bpmn;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
