package io.warden.policy.internal.backend;

import java.util.Optional;

/**
 * The admin's egress allowlist as the guard needs it. The registry keeps the allowlist; this port lets the guard
 * be built and tested before and apart from that storage.
 */
@FunctionalInterface
public interface EgressPolicy {

    /** The entry that lets Warden connect to {@code host} (lower case, no trailing dot), if any. */
    Optional<Entry> match(String host);

    /** A policy that allows nothing: what the guard uses while no allowlist is configured (fail closed). */
    static EgressPolicy denyAll() {
        return host -> Optional.empty();
    }

    /**
     * One allowlist entry.
     *
     * @param pattern      an exact host or {@code *.suffix} (which matches any host below the suffix, not the suffix)
     * @param allowPrivate whether the host may resolve to loopback, link-local, private, unique-local or CGNAT
     *                     addresses (an on-premises FHIR server, a test upstream); cloud metadata addresses stay
     *                     refused
     */
    record Entry(String pattern, boolean allowPrivate) {

        public boolean matches(String host) {
            if (pattern.startsWith("*.")) {
                String suffix = pattern.substring(1);
                return host.endsWith(suffix) && host.length() > suffix.length();
            }
            return pattern.equals(host);
        }
    }
}
