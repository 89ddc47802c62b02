package io.warden.registry;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * An upstream MCP server whose tools Warden governs, reached over Streamable HTTP.
 *
 * @param url         the server's MCP endpoint; its host must be on the egress allowlist
 * @param auth        how Warden authenticates to it
 * @param phiApproved whether the server is approved to receive PHI (its imported tools inherit this)
 */
public record McpServerView(
        String key,
        String displayName,
        String url,
        UpstreamAuth auth,
        boolean phiApproved,
        String createdBy,
        Instant createdAt,
        Instant updatedAt,
        long version) {

    /**
     * How Warden authenticates to an upstream.
     *
     * @param secret   NONE: unused; BEARER: the secret store's name of the token; CLIENT_CREDENTIALS: the name of
     *                 the client secret
     * @param tokenUrl CLIENT_CREDENTIALS only: the OAuth 2.0 token endpoint (on the egress allowlist too)
     * @param clientId CLIENT_CREDENTIALS only
     * @param scope    CLIENT_CREDENTIALS only, optional
     */
    public record UpstreamAuth(
            Kind kind,
            @Nullable String secret,
            @Nullable String tokenUrl,
            @Nullable String clientId,
            @Nullable String scope) {

        public enum Kind {
            NONE,
            BEARER,
            CLIENT_CREDENTIALS
        }

        public static UpstreamAuth none() {
            return new UpstreamAuth(Kind.NONE, null, null, null, null);
        }
    }
}
