/**
 * The decision points: {@link io.warden.policy.internal.EmbeddedPolicyDecisionPoint} and
 * {@link io.warden.policy.internal.OpaPolicyDecisionPoint}, with the JSON form of the input they share;
 * the gateway ({@link io.warden.policy.internal.GatewayService}) and its meters
 * ({@link io.warden.policy.internal.GatewayMetrics}); kill switches and rate limits in PostgreSQL
 * ({@link io.warden.policy.internal.PostgresRateLimits} documents the lease algorithm); the propagation of policy
 * changes between instances ({@link io.warden.policy.internal.PolicyChanges}, {@link io.warden.policy.internal.PolicyCache})
 * and the kill-switch self-test.
 *
 * <p>The rest is package-private; what stays public, and why:
 * <ul>
 *   <li>{@code EmbeddedPolicyDecisionPoint}, {@code OpaPolicyDecisionPoint}: the JMH benchmark ({@code bench}
 *       {@code PolicyDecisionBenchmark}) builds each outside Spring.
 *   <li>{@code GatewayService}: the gateway's controllers in {@code internal.web} call it (no other module does, so
 *       it has no port at the root).
 *   <li>{@code PolicyChanges}: {@code internal.web.PropagationHeaders} reads the request attribute it names, and the
 *       two-instance end-to-end test ({@code RevocationAcrossInstancesTests}) reconciles an instance on demand.
 * </ul>
 */
@NullMarked
package io.warden.policy.internal;

import org.jspecify.annotations.NullMarked;
