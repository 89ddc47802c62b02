/** Events the lifecycle module publishes. */
@NullMarked
@NamedInterface("events")
package io.warden.lifecycle.events;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.NamedInterface;
