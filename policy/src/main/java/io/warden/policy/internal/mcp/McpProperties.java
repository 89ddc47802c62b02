package io.warden.policy.internal.mcp;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the MCP server at {@code /mcp}, under {@code warden.mcp}.
 *
 * @param allowedOrigins   browser origins ({@code https://portal.example.org}, or {@code https://host:*} for any
 *                         port) whose pages may call {@code /mcp}; a request with any other {@code Origin} header is
 *                         refused 403 (DNS-rebinding protection). Programs send no {@code Origin} and are not affected
 * @param keepAlive        how often a session's open event stream is pinged, so that proxies keep it open
 * @param sessionIdle      a session with no open stream and no request for this long is forgotten (the client then
 *                         gets 404 and starts a new one)
 * @param maxRequestBytes  the largest JSON-RPC message accepted (413 above it)
 * @param listChangedDelay changes that arrive within this window become one {@code list_changed} notification
 * @param serverVersion    the version announced in {@code serverInfo} (the build's, set by the build)
 */
@ConfigurationProperties("warden.mcp")
record McpProperties(
        @DefaultValue({}) List<String> allowedOrigins,
        @DefaultValue("PT30S") Duration keepAlive,
        @DefaultValue("PT30M") Duration sessionIdle,
        @DefaultValue("1048576") int maxRequestBytes,
        @DefaultValue("PT0.2S") Duration listChangedDelay,
        @DefaultValue("dev") String serverVersion) {

    McpProperties {
        // an unset environment variable arrives as one empty entry
        allowedOrigins = allowedOrigins.stream().filter(o -> !o.isBlank()).toList();
        for (String origin : allowedOrigins) {
            if (origin.endsWith("/") || !origin.contains("://")) {
                throw new IllegalArgumentException("warden.mcp.allowed-origins takes origins such as "
                        + "https://portal.example.org (scheme, host, optional port, no path); got '" + origin + "'");
            }
        }
        positive("warden.mcp.keep-alive", keepAlive);
        positive("warden.mcp.session-idle", sessionIdle);
        if (maxRequestBytes < 1024 || maxRequestBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException(
                    "warden.mcp.max-request-bytes must be between 1024 and 16777216; got " + maxRequestBytes);
        }
        if (listChangedDelay.isNegative() || listChangedDelay.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new IllegalArgumentException(
                    "warden.mcp.list-changed-delay must be between PT0S and PT10S; got " + listChangedDelay);
        }
        if (serverVersion.isBlank()) {
            serverVersion = "dev";
        }
    }

    private static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive; got " + value);
        }
    }
}
