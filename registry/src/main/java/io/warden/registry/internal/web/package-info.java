/**
 * The registry's REST API under {@code /api/v1}: agents, approvals, data scopes and tools.
 *
 * <p>Controllers turn validated request records into commands and call the role port they serve
 * ({@link io.warden.registry.Agents}, {@link io.warden.registry.Approvals}, {@link io.warden.registry.Catalog} and
 * their query ports); the caller arrives as an
 * {@link io.warden.registry.Actor} argument that the application resolves from the access token. Role
 * rules per endpoint live with the security configuration of the application; the data-dependent rules
 * live in the service. Registry errors are {@link io.warden.audit.problem.ProblemException}s, rendered as RFC 9457
 * problem+json by the one renderer every module shares ({@link io.warden.audit.problem.Problems}).
 */
@NullMarked
package io.warden.registry.internal.web;

import org.jspecify.annotations.NullMarked;
