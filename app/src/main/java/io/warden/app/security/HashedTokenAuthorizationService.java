package io.warden.app.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2DeviceCode;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.core.OAuth2UserCode;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

/**
 * Stores the SHA-256 of every token value instead of the value (authorization code, access, ID and refresh tokens,
 * device and user codes), so that whoever reads {@code oauth2_authorization} (the application's database credentials,
 * a backup) holds no token or code they could present. Tokens are looked up by the hash of the value presented; the
 * authorization found carries that presented value again, for Spring Authorization Server's providers (code
 * exchange, refresh, revocation, introspection, token exchange, user info, logout) find the token in it with
 * {@code authorization.getToken(value)}. Its other tokens keep their hashes, which nobody can present: a value that
 * looks like a hash is hashed again when presented.
 *
 * <p>Hashes carry the prefix {@code sha256:}; a value with it is stored as it is, for it came from the database
 * (an authorization read back by id and saved again). The migration V16_10 hashes values stored in clear by earlier
 * versions with the same function in SQL. Thread-safe when the delegate is.
 */
final class HashedTokenAuthorizationService implements OAuth2AuthorizationService {

    static final String PREFIX = "sha256:";
    private static final List<Class<? extends OAuth2Token>> STORED = List.of(
            OAuth2AuthorizationCode.class,
            OAuth2AccessToken.class,
            OidcIdToken.class,
            OAuth2RefreshToken.class,
            OAuth2UserCode.class,
            OAuth2DeviceCode.class);
    /** Spring Authorization Server's own name for the consent and pushed-request nonce, which is not a credential to hash. */
    private static final OAuth2TokenType STATE = new OAuth2TokenType("state");

    private final OAuth2AuthorizationService delegate;

    HashedTokenAuthorizationService(OAuth2AuthorizationService delegate) {
        this.delegate = delegate;
    }

    /** {@code sha256:} and the lowercase hex SHA-256 of the value's UTF-8 bytes. */
    static String hash(String value) {
        try {
            return PREFIX
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256")
                                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void save(OAuth2Authorization authorization) {
        OAuth2Authorization.Builder hashed = OAuth2Authorization.from(authorization);
        for (Class<? extends OAuth2Token> type : STORED) {
            OAuth2Authorization.Token<? extends OAuth2Token> token = authorization.getToken(type);
            if (token != null && !token.getToken().getTokenValue().startsWith(PREFIX)) {
                // the builder keeps the token's metadata (claims, invalidated) for a token of the same type
                hashed.token(withValue(token.getToken(), hash(token.getToken().getTokenValue())), metadata -> {});
            }
        }
        delegate.save(hashed.build());
    }

    @Override
    public void remove(OAuth2Authorization authorization) {
        delegate.remove(authorization);
    }

    @Override
    public @Nullable OAuth2Authorization findById(String id) {
        return delegate.findById(id);
    }

    @Override
    public @Nullable OAuth2Authorization findByToken(String token, @Nullable OAuth2TokenType tokenType) {
        if (STATE.equals(tokenType)) {
            return delegate.findByToken(token, tokenType);
        }
        String hash = hash(token);
        OAuth2Authorization found = delegate.findByToken(hash, tokenType);
        if (found == null) {
            return null;
        }
        OAuth2Authorization.Token<OAuth2Token> stored = found.getToken(hash);
        if (stored == null) {
            return found;
        }
        return OAuth2Authorization.from(found)
                .token(withValue(stored.getToken(), token), metadata -> {})
                .build();
    }

    /** The same token with another value; every kind Spring's JDBC service stores, and no other. */
    static OAuth2Token withValue(OAuth2Token token, String value) {
        return switch (token) {
            case OAuth2AccessToken access ->
                new OAuth2AccessToken(
                        access.getTokenType(), value, access.getIssuedAt(), access.getExpiresAt(), access.getScopes());
            case OidcIdToken id -> new OidcIdToken(value, id.getIssuedAt(), id.getExpiresAt(), id.getClaims());
            case OAuth2RefreshToken refresh ->
                new OAuth2RefreshToken(value, refresh.getIssuedAt(), refresh.getExpiresAt());
            case OAuth2AuthorizationCode code ->
                new OAuth2AuthorizationCode(value, code.getIssuedAt(), code.getExpiresAt());
            case OAuth2UserCode user -> new OAuth2UserCode(value, user.getIssuedAt(), user.getExpiresAt());
            case OAuth2DeviceCode device -> new OAuth2DeviceCode(value, device.getIssuedAt(), device.getExpiresAt());
            // fail closed: a kind this class does not know would otherwise reach the table in clear
            default ->
                throw new IllegalStateException(
                        "No hashed form for a token of type " + token.getClass().getName());
        };
    }
}
