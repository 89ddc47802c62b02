/**
 * The web edge: RFC 9457 problem+json for every error the framework raises (malformed or oversized
 * bodies, unknown fields, failed validation, unknown paths), the request body limit, and the OpenAPI
 * document. Modules render their own domain errors the same way.
 */
@NullMarked
package io.warden.app.web;

import org.jspecify.annotations.NullMarked;
