package io.warden.policy;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * The call was allowed on condition that a person approves its exact arguments, and is parked until then: nothing was
 * forwarded. REST answers {@code 202 Accepted} with the approval; MCP sends the person to {@link #link()} (URL-mode
 * elicitation, or error {@code -32042} for a client that cannot elicit). The agent resubmits the same call with the
 * approval id once it is granted ({@code Warden-Approval} over REST, {@code _meta["io.warden/approval"]} over MCP).
 *
 * @param approvalId the approval's id, to resubmit with
 * @param link       where the approver decides (the portal's approval page), absolute
 * @param expiresAt  when the approval lapses if nobody decides, and how long a granted one may be used
 */
public final class ApprovalRequired extends RuntimeException {

    private final String approvalId;
    private final URI link;
    private final Instant expiresAt;

    public ApprovalRequired(String approvalId, URI link, Instant expiresAt) {
        super("This call waits for a person's approval of its exact arguments: " + link);
        this.approvalId = Objects.requireNonNull(approvalId, "approvalId");
        this.link = Objects.requireNonNull(link, "link");
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    }

    public String approvalId() {
        return approvalId;
    }

    public URI link() {
        return link;
    }

    public Instant expiresAt() {
        return expiresAt;
    }
}
