/**
 * The kill-switch API under {@code /api/v1/kill-switches} (ADMIN and SECOPS), the rate-limit API under
 * {@code /api/v1/rate-limits} with {@code /api/v1/agents/{id}/quota}, and the gateway under {@code /gateway/v1}.
 */
@NullMarked
package io.warden.policy.internal.web;

import org.jspecify.annotations.NullMarked;
