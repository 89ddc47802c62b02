package io.warden.app.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/**
 * Remembers tokens whose signature has been verified, so that an agent calling the gateway many times a
 * second with the same bearer token pays for the RSA verification and the parsing once. Every use still
 * runs the validator (expiry, not-before, issuer, audience) against the cached claims, so an expired token
 * is refused at the same instant as without the cache. An entry is kept at most {@code ttl} (a token signed
 * by a key that has since been removed is refused again within that time) and the cache holds at most
 * {@code maxEntries}; when full it starts afresh. Tokens that fail are never cached. Revocation does not
 * depend on it: a compromised agent is stopped by the kill switch, not by its token. Thread-safe.
 */
final class VerifiedTokenCache implements JwtDecoder {

    private record Verified(Jwt jwt, Instant until) {}

    private final JwtDecoder delegate;
    private final OAuth2TokenValidator<Jwt> validator;
    private final Duration ttl;
    private final int maxEntries;
    private final Clock clock;
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    VerifiedTokenCache(
            JwtDecoder delegate, OAuth2TokenValidator<Jwt> validator, Duration ttl, int maxEntries, Clock clock) {
        this.delegate = delegate;
        this.validator = validator;
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        Instant now = clock.instant();
        Verified hit = verified.get(token);
        if (hit != null && now.isBefore(hit.until())) {
            OAuth2TokenValidatorResult result = validator.validate(hit.jwt());
            if (result.hasErrors()) {
                verified.remove(token);
                throw new JwtValidationException("The token is no longer valid", result.getErrors());
            }
            return hit.jwt();
        }
        Jwt jwt = delegate.decode(token); // verifies the signature and runs the same validator
        if (jwt == null) {
            throw new BadJwtException("The token could not be decoded");
        }
        if (verified.size() >= maxEntries) {
            verified.clear();
        }
        verified.put(token, new Verified(jwt, now.plus(ttl)));
        return jwt;
    }
}
