/**
 * The decision points: {@link io.warden.policy.internal.EmbeddedPolicyDecisionPoint} and
 * {@link io.warden.policy.internal.OpaPolicyDecisionPoint}, with the JSON form of the input they share;
 * the gateway pipeline; kill switches and rate limits in PostgreSQL ({@link io.warden.policy.internal.PostgresRateLimits}
 * documents the lease algorithm).
 */
@NullMarked
package io.warden.policy.internal;

import org.jspecify.annotations.NullMarked;
