/**
 * The decision points: {@link io.warden.policy.internal.EmbeddedPolicyDecisionPoint} and
 * {@link io.warden.policy.internal.OpaPolicyDecisionPoint}, with the JSON form of the input they share;
 * the gateway ({@link io.warden.policy.internal.GatewayService}) and its meters
 * ({@link io.warden.policy.internal.GatewayMetrics}); kill switches and rate limits in PostgreSQL
 * ({@link io.warden.policy.internal.PostgresRateLimits} documents the lease algorithm); the propagation of policy
 * changes between instances ({@link io.warden.policy.internal.PolicyChanges}, {@link io.warden.policy.internal.PolicyCache})
 * and the kill-switch self-test.
 */
@NullMarked
package io.warden.policy.internal;

import org.jspecify.annotations.NullMarked;
