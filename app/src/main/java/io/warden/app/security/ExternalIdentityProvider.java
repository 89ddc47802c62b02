package io.warden.app.security;

import io.warden.registry.IdentityProvisioner;
import java.time.Clock;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * Tokens from an external OpenID provider (Entra ID in production): keys from its JWK set (named, or
 * discovered from the issuer's metadata on first use), and the same issuer and audience checks as the
 * embedded provider's tokens.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "warden.identity.provider", havingValue = "external")
class ExternalIdentityProvider {

    /** Until a provisioning adapter for the provider is configured, its administrators create agents' identities. */
    @Bean
    @ConditionalOnProperty(name = "warden.identity.provisioner", havingValue = "default", matchIfMissing = true)
    IdentityProvisioner identityProvisioner() {
        return new PreRegisteredIdentities();
    }

    @Bean
    JwtDecoder jwtDecoder(IdentityProperties identity, Clock clock) {
        NimbusJwtDecoder decoder = identity.jwkSetUri() != null
                ? NimbusJwtDecoder.withJwkSetUri(identity.jwkSetUri().toString())
                        .build()
                : NimbusJwtDecoder.withIssuerLocation(identity.issuer().toString())
                        .build();
        decoder.setJwtValidator(EmbeddedIdentityProvider.validator(identity));
        return EmbeddedIdentityProvider.cached(decoder, identity, clock);
    }
}
