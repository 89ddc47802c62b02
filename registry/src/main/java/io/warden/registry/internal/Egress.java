package io.warden.registry.internal;

import io.warden.registry.RegistryException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The rules for the addresses tool backends are saved with: absolute http(s) URLs without user info or fragment,
 * and allowlist patterns. Hostile input (credentials in a URL, placeholders in the host, a wildcard covering a whole
 * top-level domain) is refused here, before anything is stored.
 */
final class Egress {

    private static final String LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
    private static final Pattern HOST_NAME = Pattern.compile(LABEL + "(?:\\." + LABEL + ")*");
    private static final Pattern WILDCARD = Pattern.compile("\\*\\.(" + LABEL + "(?:\\." + LABEL + ")+)");
    private static final Pattern IPV4 =
            Pattern.compile("(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:%[a-z0-9]+)?");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_]{0,63}\\}");

    private Egress() {}

    /** A URL's host as the allowlist compares it: lower case, IPv6 without brackets, no trailing dot. */
    static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /** @return the pattern as stored, or refuses it naming {@code host} */
    static String pattern(String pattern) {
        String p = normalize(pattern.strip());
        if (p.startsWith("*")) {
            if (WILDCARD.matcher(p).matches()) {
                return p;
            }
            throw new RegistryException.InvalidField(
                    "host",
                    "A wildcard entry is '*.' followed by a domain of at least two labels, such as *.example.org");
        }
        if (p.length() <= 253
                && (HOST_NAME.matcher(p).matches() || IPV4.matcher(p).matches() || ipv6(p))) {
            return p;
        }
        throw new RegistryException.InvalidField(
                "host", "Not a host name or IP address (without scheme, port or path): " + shorten(pattern));
    }

    /** Whether {@code host} (normalized) falls under {@code pattern}: the same host, or a host under a wildcard. */
    static boolean covers(String pattern, String host) {
        if (pattern.startsWith("*.")) {
            return host.endsWith(pattern.substring(1)) && host.length() > pattern.length() - 1;
        }
        return pattern.equals(host);
    }

    /**
     * An upstream's URL: absolute http(s), a host, no user info and no fragment.
     *
     * @return its normalized host
     */
    static String urlHost(String field, String url) {
        return host(field, url, url);
    }

    /**
     * An HTTP tool's URL template: as {@link #urlHost}, with {@code {name}} placeholders allowed in the path and query
     * only.
     *
     * @return its normalized host
     */
    static String templateHost(String field, String template) {
        int authorityStart = template.indexOf("://");
        if (authorityStart > 0) {
            int end = authorityStart + 3;
            while (end < template.length() && "/?#".indexOf(template.charAt(end)) < 0) {
                end++;
            }
            String authority = template.substring(authorityStart + 3, end);
            if (authority.contains("{") || authority.contains("}")) {
                throw new RegistryException.InvalidField(
                        field, "Placeholders may stand only in the URL's path and query, never in its host or port");
            }
        }
        String filled = PLACEHOLDER.matcher(template).replaceAll("x");
        if (filled.contains("{") || filled.contains("}")) {
            throw new RegistryException.InvalidField(
                    field, "A placeholder is {name}, a name of letters, digits and '_' starting with a letter or '_'");
        }
        return host(field, filled, template);
    }

    private static String host(String field, String url, String given) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new RegistryException.InvalidField(field, "Not a URL: " + shorten(given));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new RegistryException.InvalidField(field, "Only absolute http and https URLs are allowed");
        }
        if (uri.getRawUserInfo() != null) {
            throw new RegistryException.InvalidField(
                    field, "A URL may not carry user info; name a secret from the secret store instead");
        }
        if (uri.getRawFragment() != null) {
            throw new RegistryException.InvalidField(field, "A URL may not carry a fragment");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new RegistryException.InvalidField(field, "The URL has no host: " + shorten(given));
        }
        return normalize(host);
    }

    private static boolean ipv6(String p) {
        return p.contains(":") && IPV6.matcher(p).matches();
    }

    private static String shorten(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 100 ? clean : clean.substring(0, 100) + "…";
    }
}
