/** The kill-switch API under {@code /api/v1/kill-switches} (ADMIN and SECOPS). */
@NullMarked
package io.warden.policy.internal.web;

import org.jspecify.annotations.NullMarked;
