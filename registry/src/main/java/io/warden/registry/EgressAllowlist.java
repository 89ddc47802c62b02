package io.warden.registry;

import java.util.List;
import java.util.Optional;

/**
 * Port to the egress allowlist: the hosts Warden's tool backends may reach (an MCP server's URL, an HTTP tool's URL
 * template, an OAuth token URL). A backend is checked against it when saved, and the outbound guard checks again on
 * every call. Changes are admins' (the web edge checks the role), each one audited. Thread-safe.
 */
public interface EgressAllowlist {

    List<EgressHostView> list();

    /**
     * @throws RegistryException.InvalidField naming {@code host} or {@code reason}; AlreadyExists when the pattern is
     *     already on the list
     */
    EgressHostView add(String host, boolean allowPrivate, String reason, Actor actor);

    /**
     * Takes a pattern off the list. Backends saved under it stay registered; their calls are refused from now on.
     *
     * @throws RegistryException.NotFound when the pattern is not on the list
     */
    void remove(String host, Actor actor);

    /**
     * The entry that allows {@code host} (a URL's host, in any case, IPv6 with or without brackets): the exact entry if
     * there is one, else the longest {@code *.suffix} entry it falls under; empty when none does.
     */
    Optional<EgressHostView> matches(String host);
}
