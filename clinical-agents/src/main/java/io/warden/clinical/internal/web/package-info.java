/**
 * The retrieval node's internal HTTP API, {@code /internal/retrieval/v1}: search, classify and status,
 * for the gateway only (a shared bearer token, compared in constant time). Enabled with
 * {@code warden.retrieval.node.enabled=true}.
 */
@NullMarked
package io.warden.clinical.internal.web;

import org.jspecify.annotations.NullMarked;
