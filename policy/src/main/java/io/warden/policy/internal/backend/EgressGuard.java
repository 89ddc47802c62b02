package io.warden.policy.internal.backend;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every outbound connection to a tool backend (HTTP tool URL, MCP server URL, OAuth token URL) passes here first:
 * the host must be on the admin allowlist, and each address it resolves to must be one that entry permits
 * (see {@link EgressAddresses}). {@link GuardedResolverProvider} then makes the same check on every later lookup of
 * the host, so the address checked is the address connected to, however DNS answers in between. Redirects are
 * never followed by the clients this guard builds. Thread-safe.
 */
public final class EgressGuard {

    /** Hosts that look numeric but are not a dotted quad ({@code 2130706433}, {@code 0177.1}, {@code 0x7f.1}). */
    private static final Pattern NUMERIC_HOST = Pattern.compile("[0-9a-fx.]+", Pattern.CASE_INSENSITIVE);

    private static final Pattern DOTTED_QUAD = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    private final EgressPolicy policy;

    public EgressGuard(EgressPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Admits {@code uri} or says why not.
     *
     * @return where the connection goes, {@code host:port}, for the audit
     * @throws BackendFailure {@value BackendFailure#EGRESS_REFUSED} when the URL, its host or any address the host
     *     resolves to is refused
     */
    public String check(URI uri) throws BackendFailure {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw refused("only http and https URLs are allowed, got " + uri.getScheme());
        }
        if (uri.getRawUserInfo() != null) {
            throw refused("URLs with user information are refused");
        }
        String rawHost = uri.getHost();
        if (rawHost == null || rawHost.isEmpty()) {
            throw refused("the URL has no host");
        }
        boolean ipv6Literal = rawHost.startsWith("[");
        String host =
                GuardedResolverProvider.normalize(ipv6Literal ? rawHost.substring(1, rawHost.length() - 1) : rawHost);
        if (!ipv6Literal
                && NUMERIC_HOST.matcher(host).matches()
                && host.chars().anyMatch(Character::isDigit)
                && !DOTTED_QUAD.matcher(host).matches()) {
            // resolvers disagree on what 2130706433 or 0177.0.0.1 mean; a backend is named by a host or a plain IP
            throw refused("the host " + host + " is not a host name or a plain IP address");
        }
        Optional<EgressPolicy.Entry> match;
        try {
            match = policy.match(host);
        } catch (RuntimeException e) {
            // an allowlist that cannot be read allows nothing
            throw new BackendFailure(BackendFailure.EGRESS_REFUSED, "the egress allowlist could not be read", e);
        }
        EgressPolicy.Entry entry =
                match.orElseThrow(() -> refused("the host " + host + " is not on the egress allowlist"));
        if (!GuardedResolverProvider.installed()) {
            throw refused("the egress resolver is not installed, so no backend connection is allowed"
                    + " (run Warden with its jars on the class path)");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (GuardedResolverProvider.RefusedLookup e) {
            throw refused(String.valueOf(e.getMessage()));
        } catch (UnknownHostException e) {
            throw new BackendFailure(BackendFailure.UPSTREAM_UNAVAILABLE, "the host " + host + " does not resolve", e);
        }
        for (InetAddress address : addresses) {
            Optional<String> why = EgressAddresses.refusal(address, entry.allowPrivate());
            if (why.isPresent()) {
                throw refused("the host " + host + " resolves to " + address.getHostAddress() + ", a " + why.get());
            }
        }
        if (!ipv6Literal) {
            GuardedResolverProvider.guard(host, entry.allowPrivate());
        }
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return (ipv6Literal ? "[" + host + "]" : host) + ":" + port;
    }

    /** An HTTP client for backend calls: no redirects (a 3xx is the backend's answer, and a failure). */
    public static HttpClient newClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    private static BackendFailure refused(String message) {
        return new BackendFailure(BackendFailure.EGRESS_REFUSED, message);
    }
}
