/**
 * The decision points: {@link io.warden.policy.internal.EmbeddedPolicyDecisionPoint} and
 * {@link io.warden.policy.internal.OpaPolicyDecisionPoint}, with the JSON form of the input they share.
 */
@NullMarked
package io.warden.policy.internal;

import org.jspecify.annotations.NullMarked;
