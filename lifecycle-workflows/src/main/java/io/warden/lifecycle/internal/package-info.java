/**
 * The lifecycle module's implementation: engine adapters, handlers, triggers, wiring. Every type here is
 * package-private; the web package, other modules, the benchmarks and the application's tests use the root's ports
 * ({@code WorkflowEngine}, {@code LifecycleRuleBook}, {@code CredentialRotations}, ...).
 */
@NullMarked
package io.warden.lifecycle.internal;

import org.jspecify.annotations.NullMarked;
