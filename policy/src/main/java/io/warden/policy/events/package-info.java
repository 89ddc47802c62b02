/** Past-tense events of the policy module: kill switches engaged and released. */
@NullMarked
@NamedInterface("events")
package io.warden.policy.events;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
