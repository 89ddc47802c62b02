package io.warden.policy.internal.backend;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which resolved addresses a backend connection may not reach. IPv6 forms that carry an IPv4 address
 * (IPv4-mapped {@code ::ffff:a.b.c.d}, IPv4-compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::/96}, 6to4
 * {@code 2002::/16}) are judged by the IPv4 address they carry, so that no spelling reaches what the plain one
 * cannot.
 */
final class EgressAddresses {

    private EgressAddresses() {}

    /** Why {@code address} is refused for a host whose entry says {@code allowPrivate}, or empty when it is not. */
    static Optional<String> refusal(InetAddress address, boolean allowPrivate) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            byte[] embedded = embeddedIpv4(b);
            if (embedded != null) {
                return refusalV4(embedded, allowPrivate);
            }
            return refusalV6(b, allowPrivate);
        }
        if (address instanceof Inet4Address) {
            return refusalV4(b, allowPrivate);
        }
        return Optional.of("unknown address family");
    }

    private static Optional<String> refusalV4(byte[] b, boolean allowPrivate) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        if (a0 == 169 && a1 == 254 && (b[2] & 0xff) == 169 && (b[3] & 0xff) == 254) {
            // the cloud metadata service hands out credentials; no tool backend lives there, whatever the entry says
            return Optional.of("cloud metadata address");
        }
        if (a0 == 0) {
            return Optional.of("unspecified address");
        }
        if (a0 >= 224) {
            return Optional.of(a0 < 240 ? "multicast address" : "reserved or broadcast address");
        }
        String privateKind = null;
        if (a0 == 127) {
            privateKind = "loopback address";
        } else if (a0 == 169 && a1 == 254) {
            privateKind = "link-local address";
        } else if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            privateKind = "site-local address";
        } else if (a0 == 100 && (a1 & 0xc0) == 64) {
            privateKind = "carrier-grade NAT address";
        }
        return privateKind == null || allowPrivate ? Optional.empty() : Optional.of(privateKind);
    }

    private static Optional<String> refusalV6(byte[] b, boolean allowPrivate) {
        if (isFdEc2Metadata(b)) {
            return Optional.of("cloud metadata address");
        }
        boolean allZeroButLast = true;
        for (int i = 0; i < 15; i++) {
            allZeroButLast &= b[i] == 0;
        }
        if (allZeroButLast && b[15] == 0) {
            return Optional.of("unspecified address");
        }
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        if (b0 == 0xff) {
            return Optional.of("multicast address");
        }
        String privateKind = null;
        if (allZeroButLast && b[15] == 1) {
            privateKind = "loopback address";
        } else if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
            privateKind = "link-local address";
        } else if (b0 == 0xfe && (b1 & 0xc0) == 0xc0) {
            privateKind = "site-local address";
        } else if ((b0 & 0xfe) == 0xfc) {
            privateKind = "unique-local address";
        }
        return privateKind == null || allowPrivate ? Optional.empty() : Optional.of(privateKind);
    }

    private static boolean isFdEc2Metadata(byte[] b) {
        // fd00:ec2::254
        if ((b[0] & 0xff) != 0xfd || b[1] != 0 || (b[2] & 0xff) != 0x0e || (b[3] & 0xff) != 0xc2) {
            return false;
        }
        for (int i = 4; i < 14; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[14] & 0xff) == 0x02 && (b[15] & 0xff) == 0x54;
    }

    private static byte @Nullable [] embeddedIpv4(byte[] b) {
        boolean firstTenZero = true;
        for (int i = 0; i < 10; i++) {
            firstTenZero &= b[i] == 0;
        }
        boolean mapped = firstTenZero && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = firstTenZero && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0);
        if (mapped || compatible) {
            return new byte[] {b[12], b[13], b[14], b[15]};
        }
        boolean nat64 = b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
        for (int i = 4; nat64 && i < 12; i++) {
            nat64 = b[i] == 0;
        }
        if (nat64) {
            return new byte[] {b[12], b[13], b[14], b[15]};
        }
        if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) {
            return new byte[] {b[2], b[3], b[4], b[5]};
        }
        return null;
    }
}
