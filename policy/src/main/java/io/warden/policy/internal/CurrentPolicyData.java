package io.warden.policy.internal;

import io.warden.policy.PolicyData;

/**
 * Where a simulation finds the policy data it patches: the newest recorded version
 * ({@code PolicyVersions.current()}).
 */
@FunctionalInterface
interface CurrentPolicyData {

    PolicyData current();
}
