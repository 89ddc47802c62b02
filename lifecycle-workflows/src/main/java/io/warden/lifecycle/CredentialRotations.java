package io.warden.lifecycle;

import java.time.Instant;

/**
 * The rotation of agents' credentials, which runs on a schedule; callers (tests, operators' tools) may run it "as of"
 * another moment. One instance runs at a time and each step is idempotent, so a run cut short is finished by the next.
 */
public interface CredentialRotations {

    /** One run as of {@code now}: rotate what is due, revoke what has had its overlap, notify owners. */
    Run run(Instant now);

    /** What one run did; {@code skipped} when another instance held the lock. */
    record Run(int rotated, int revoked, int notified, int failed, boolean skipped) {}
}
