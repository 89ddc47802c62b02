/**
 * Warden, a governance control plane for clinical AI agents. See {@link io.warden.WardenApplication}.
 */
@NullMarked
package io.warden;

import org.jspecify.annotations.NullMarked;
