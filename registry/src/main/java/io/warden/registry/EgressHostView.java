package io.warden.registry;

import java.time.Instant;

/**
 * One entry of the egress allowlist: a host Warden may call out to.
 *
 * @param host         an exact host name or IP literal (lower case, IPv6 without brackets), or {@code *.suffix} for
 *                     every host under that domain (not the domain itself)
 * @param allowPrivate whether the host may resolve to loopback, private, link-local or other internal addresses;
 *                     without it such addresses are refused after every DNS resolution
 * @param reason       why the host is allowed, for the people who review the list
 */
public record EgressHostView(String host, boolean allowPrivate, String reason, String createdBy, Instant createdAt) {}
