/**
 * The audit trail's REST API under {@code /api/v1/audit}: search, single records, verification, the
 * public keys and the streamed exports. Only ADMIN and COMPLIANCE reach it (the application's role rules);
 * every export is itself recorded in the trail.
 */
@NullMarked
package io.warden.audit.internal.web;

import org.jspecify.annotations.NullMarked;
