/**
 * The gateway's outbound side: the {@link io.warden.policy.internal.backend.ToolBackendClient} each non-built-in
 * backend kind implements, and what a call to one returns or how it fails.
 */
@NullMarked
package io.warden.policy.internal.backend;

import org.jspecify.annotations.NullMarked;
