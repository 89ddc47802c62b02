/** The lifecycle module's implementation: engine adapters, handlers, triggers, wiring. */
@NullMarked
package io.warden.lifecycle.internal;

import org.jspecify.annotations.NullMarked;
