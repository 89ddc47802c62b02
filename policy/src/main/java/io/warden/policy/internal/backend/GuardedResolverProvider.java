package io.warden.policy.internal.backend;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The JVM's name resolver (JEP 418, registered in {@code META-INF/services}), so that the address Warden checks is
 * the address it connects to. A backend host is checked when the egress guard admits a URL, and then again by
 * whichever HTTP client connects: every lookup of a host the guard has admitted returns only the addresses its
 * allowlist entry permits, whatever DNS answers the second time (a rebinding name that first resolves to a public
 * address and then to 127.0.0.1 gets no address, so the connection fails). Lookups of every other host pass
 * through unchanged.
 *
 * <p>Why a resolver and not "connect to the checked IP": the JDK HttpClient cannot be told which address to connect
 * to while keeping the host name for TLS (SNI, certificate check) and the {@code Host} header, and MCP and OAuth
 * traffic go through the same clients. The JDK loads resolver providers through the system class loader, so Warden
 * must run with its jars on the class path (Spring Boot's extracted layout, {@code java -jar} of the extracted
 * application, or an IDE/test run); {@link #installed()} says whether it is, and the guard refuses every
 * connection when it is not.
 */
public final class GuardedResolverProvider extends InetAddressResolverProvider {

    /** Host (lower case, no trailing dot) → whether its allowlist entry allows private addresses. */
    private static final Map<String, Boolean> GUARDED = new ConcurrentHashMap<>();

    private static volatile boolean installed;

    @Override
    public InetAddressResolver get(Configuration configuration) {
        installed = true;
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy lookupPolicy)
                    throws UnknownHostException {
                Boolean allowPrivate = GUARDED.get(normalize(host));
                Stream<InetAddress> all = builtin.lookupByName(host, lookupPolicy);
                if (allowPrivate == null) {
                    return all;
                }
                var permitted = all.filter(
                                a -> EgressAddresses.refusal(a, allowPrivate).isEmpty())
                        .toList();
                if (permitted.isEmpty()) {
                    throw new RefusedLookup(host);
                }
                return permitted.stream();
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "warden-egress-guard";
    }

    /** Whether the JVM resolves names through this provider (it does once the first lookup has happened). */
    static boolean installed() {
        if (!installed) {
            try {
                InetAddress.getAllByName("localhost"); // the JVM picks its resolver on the first lookup
            } catch (UnknownHostException e) {
                // no loopback name: the flag below still says whether this provider was chosen
            }
        }
        return installed;
    }

    /** From now on, lookups of {@code host} return only the addresses its entry permits. */
    static void guard(String host, boolean allowPrivate) {
        GUARDED.put(normalize(host), allowPrivate);
    }

    static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** A lookup that found addresses, none of which the host's allowlist entry permits. */
    static final class RefusedLookup extends UnknownHostException {

        private static final long serialVersionUID = 1L;

        RefusedLookup(String host) {
            super(host + ": every address it resolves to is refused for egress");
        }
    }
}
