/**
 * Past-tense events the registry publishes, in the same transaction as the change they describe.
 *
 * <p>Listen with {@code @ApplicationModuleListener}: Spring Modulith's event publication registry stores
 * each publication with the transaction and redelivers it until the listener completes, so audit and
 * workflows never lose one. Each event names the actor and the time of the change.
 */
@NullMarked
@NamedInterface("events")
package io.warden.registry.events;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
