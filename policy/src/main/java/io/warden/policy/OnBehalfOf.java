package io.warden.policy;

import java.util.Objects;

/**
 * The person an agent's call serves, from a delegated token: the token's subject is the person, its actor (RFC 8693
 * {@code act}, or Entra's {@code azp} on an on-behalf-of token) the agent. Authentication puts it on the request as
 * the attribute {@link #ATTRIBUTE}; a call without it is the agent's alone. The gateway decides such a call on both
 * the agent's grants and the person's entitlements, and records both.
 *
 * @param personId the person's directory object id (Entra {@code oid}; the embedded directory's user id)
 * @param via      how the delegation was made: {@link #TOKEN_EXCHANGE} or {@link #ENTRA_OBO}
 */
public record OnBehalfOf(String personId, String via) {

    /** The request attribute authentication sets on a delegated call. */
    public static final String ATTRIBUTE = "io.warden.policy.OnBehalfOf";

    /** A token from Warden's own RFC 8693 token exchange: {@code sub} the person, {@code act.sub} the agent. */
    public static final String TOKEN_EXCHANGE = "token-exchange";

    /** An Entra ID on-behalf-of token: delegated ({@code scp}), {@code oid} the person, {@code azp} the agent. */
    public static final String ENTRA_OBO = "entra-obo";

    public OnBehalfOf {
        Objects.requireNonNull(personId, "personId");
        Objects.requireNonNull(via, "via");
        if (personId.isBlank() || personId.length() > 200) {
            throw new IllegalArgumentException("personId is 1 to 200 characters");
        }
    }
}
