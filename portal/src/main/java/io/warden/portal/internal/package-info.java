/** The portal's controllers. */
@NullMarked
package io.warden.portal.internal;

import org.jspecify.annotations.NullMarked;
