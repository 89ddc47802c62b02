/**
 * The portal: server-rendered pages for admins, owners, compliance and security operations.
 *
 * <p>May depend on every module but {@code app}; it goes through the same services and role rules as
 * the API. Pages are server-rendered (Thymeleaf) under {@code /portal}; people sign in through OpenID Connect.
 */
@NullMarked
@ApplicationModule(
        displayName = "portal",
        allowedDependencies = {
            "registry",
            "policy",
            "audit",
            "audit :: problem",
            "lifecycle",
            "clinical",
            "clinical :: cohort",
            "collections"
        })
package io.warden.portal;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
