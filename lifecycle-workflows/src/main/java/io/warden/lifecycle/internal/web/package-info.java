/** The lifecycle API under {@code /api/v1/agents/{id}}: attestation, keep, incidents. */
@NullMarked
package io.warden.lifecycle.internal.web;

import org.jspecify.annotations.NullMarked;
