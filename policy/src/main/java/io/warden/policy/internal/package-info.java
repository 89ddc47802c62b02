/**
 * The decision points: {@link io.warden.policy.internal.EmbeddedPolicyDecisionPoint} and
 * {@link io.warden.policy.internal.OpaPolicyDecisionPoint}, with the JSON form of the input they share;
 * the gateway ({@link io.warden.policy.internal.GatewayService}) and its meters
 * ({@link io.warden.policy.internal.GatewayMetrics}: what the propagation and self-test features report through).
 */
@NullMarked
package io.warden.policy.internal;

import org.jspecify.annotations.NullMarked;
