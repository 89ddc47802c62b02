package io.warden.registry;

/** Where an approval stands; only PENDING approvals can be decided. */
public enum ApprovalStatus {
    PENDING,
    APPROVED,
    REJECTED,
    WITHDRAWN
}
