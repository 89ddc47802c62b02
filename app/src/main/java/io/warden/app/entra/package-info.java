/** Entra ID through Microsoft Graph: the directory and identity-provisioning adapters, switched on by configuration. */
@NullMarked
package io.warden.app.entra;

import org.jspecify.annotations.NullMarked;
