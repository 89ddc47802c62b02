package io.warden.app.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;

/**
 * Bearer tokens on the operations endpoints: the configured scrape token (compared in constant time; it grants
 * {@code ROLE_METRICS_SCRAPER}, which only {@code /actuator/prometheus} accepts), else an access token verified
 * as the API verifies it.
 */
final class OperationsTokens implements AuthenticationManager {

    static final String SCRAPER = "METRICS_SCRAPER";

    private final byte @Nullable [] scrapeToken;
    private final JwtAuthenticationProvider jwt;

    OperationsTokens(@Nullable String scrapeToken, JwtDecoder decoder, TokenAuthenticationConverter converter) {
        this.scrapeToken = scrapeToken == null ? null : scrapeToken.getBytes(StandardCharsets.UTF_8);
        this.jwt = new JwtAuthenticationProvider(decoder);
        this.jwt.setJwtAuthenticationConverter(converter);
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        if (scrapeToken != null
                && authentication instanceof BearerTokenAuthenticationToken bearer
                && MessageDigest.isEqual(scrapeToken, bearer.getToken().getBytes(StandardCharsets.UTF_8))) {
            return new Scraper();
        }
        return jwt.authenticate(authentication);
    }

    /** Prometheus, holding the scrape token. */
    private static final class Scraper extends AbstractAuthenticationToken {
        Scraper() {
            super(List.of(new SimpleGrantedAuthority("ROLE_" + SCRAPER)));
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return "prometheus";
        }
    }
}
