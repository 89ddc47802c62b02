package io.warden.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/** Real RS256 tokens through a real Nimbus decoder, behind the cache, with a clock the test moves. */
class VerifiedTokenCacheTests {

    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    Instant now = T0;
    final Clock clock = new Clock() {
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        public Clock withZone(ZoneId zone) {
            return this;
        }

        public Instant instant() {
            return now;
        }
    };
    final RSAKey key = generate();
    final NimbusJwtEncoder encoder = new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(key)));
    final OAuth2TokenValidator<Jwt> validator = validator();
    final AtomicInteger verifications = new AtomicInteger();
    final JwtDecoder cache = new VerifiedTokenCache(counting(), validator, Duration.ofMinutes(5), 100, clock);

    @Test
    void aTokenIsVerifiedOnceAndThenServedFromTheCache() {
        String token = token(Duration.ofMinutes(15));
        Jwt first = cache.decode(token);
        Jwt again = cache.decode(token);
        assertThat(again.getSubject()).isEqualTo("agent-client").isEqualTo(first.getSubject());
        assertThat(verifications).hasValue(1);
    }

    @Test
    void aCachedTokenIsRefusedOnceItHasExpired() {
        String token = token(Duration.ofMinutes(2));
        cache.decode(token);
        now = T0.plus(Duration.ofMinutes(4)); // past expiry and the validator's 60 s skew, within the cache's 5 min
        assertThatThrownBy(() -> cache.decode(token))
                .isInstanceOf(JwtValidationException.class)
                .hasMessageContaining("no longer valid");
        assertThat(verifications).as("refused from the cached claims").hasValue(1);
    }

    @Test
    void anEntryIsVerifiedAgainAfterTheCacheLifetime() {
        String token = token(Duration.ofMinutes(15));
        cache.decode(token);
        now = T0.plus(Duration.ofMinutes(6));
        cache.decode(token);
        assertThat(verifications).hasValue(2);
    }

    @Test
    void aTokenThatFailsIsNeverCached() {
        String token = token(Duration.ofMinutes(15));
        String forged =
                token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);
        assertThatThrownBy(() -> cache.decode(forged)).isInstanceOf(BadJwtException.class);
        assertThatThrownBy(() -> cache.decode(forged)).isInstanceOf(BadJwtException.class);
        assertThat(verifications).hasValue(2);
    }

    @Test
    void aFullCacheStartsAfreshInsteadOfGrowing() {
        JwtDecoder small = new VerifiedTokenCache(counting(), validator, Duration.ofMinutes(5), 2, clock);
        String a = token(Duration.ofMinutes(15));
        small.decode(a);
        small.decode(token(Duration.ofMinutes(14)));
        small.decode(token(Duration.ofMinutes(13))); // the third entry clears the first two
        small.decode(a);
        assertThat(verifications).hasValue(4);
    }

    private String token(Duration lifetime) {
        JwtClaimsSet claims = JwtClaimsSet.builder()
                .issuer("http://warden.test")
                .subject("agent-client")
                .audience(List.of("api://warden"))
                .issuedAt(now)
                .expiresAt(now.plus(lifetime))
                .build();
        return encoder.encode(JwtEncoderParameters.from(claims)).getTokenValue();
    }

    private JwtDecoder counting() {
        NimbusJwtDecoder nimbus = NimbusJwtDecoder.withPublicKey(rsa()).build();
        nimbus.setJwtValidator(validator);
        return token -> {
            verifications.incrementAndGet();
            return nimbus.decode(token);
        };
    }

    private RSAPublicKey rsa() {
        try {
            return key.toRSAPublicKey();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private OAuth2TokenValidator<Jwt> validator() {
        JwtTimestampValidator timestamps = new JwtTimestampValidator();
        timestamps.setClock(clock);
        return new DelegatingOAuth2TokenValidator<>(timestamps, new JwtIssuerValidator("http://warden.test"));
    }

    private static RSAKey generate() {
        try {
            return new RSAKeyGenerator(2048).keyID("test").generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
