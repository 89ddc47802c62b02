package io.warden.policy.internal;

import io.warden.policy.PolicyData;

/**
 * Where a simulation finds the policy data it patches. Today the registry's rows ({@link CatalogPolicyData}); once
 * policy data versions are recorded, their current version.
 */
@FunctionalInterface
interface CurrentPolicyData {

    PolicyData current();
}
