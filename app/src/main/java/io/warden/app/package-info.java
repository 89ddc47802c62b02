/**
 * The application module: wiring, security (the embedded OpenID provider and the resource server),
 * the database (embedded PostgreSQL by default), the web edge's error rendering and the demo data.
 *
 * <p>It may depend on every other module; none may depend on it.
 */
@NullMarked
@ApplicationModule(displayName = "app")
package io.warden.app;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
