/** Past-tense events of the policy module: kill switches engaged and released, emergency accesses allowed. */
@NullMarked
@NamedInterface("events")
package io.warden.policy.events;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
