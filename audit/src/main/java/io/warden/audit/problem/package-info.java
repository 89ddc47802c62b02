/**
 * The one vocabulary for errors a use case reports to a caller, and the one place that renders them as RFC 9457
 * problem+json.
 *
 * <p>A module's exception extends {@link io.warden.audit.problem.ProblemException}: it carries a stable
 * {@code code} (the last segment of the problem {@code type}), a {@link io.warden.audit.problem.ProblemKind} and,
 * where one request field is at fault, that field; never an HTTP status. {@link io.warden.audit.problem.Problems}
 * maps each kind to its status, defines the {@code type} prefix and builds every problem document Warden writes,
 * whether an exception handler, a security filter or the container's error page writes it. Its advice renders every
 * {@code ProblemException} a controller lets escape, so a module's controllers answer the same problems in the
 * module's own tests as in the application.
 *
 * <p>It lives in {@code audit} because every feature module already depends on {@code audit} and nothing else is
 * shared by all of them; a separate common module is what the style guide rules out (docs/adr/0010-problems.md).
 */
@NullMarked
@NamedInterface("problem")
package io.warden.audit.problem;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
