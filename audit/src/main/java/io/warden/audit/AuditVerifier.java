package io.warden.audit;

/**
 * Checks the stored trail: recomputes the chain and checks the signed checkpoints against the configured keys
 * (exported files are checked offline by {@link ExportVerifier}). Implementations are thread-safe.
 */
public interface AuditVerifier {

    /** Recomputes the chain and checks the signed checkpoints from {@code from} to {@code to} (inclusive). */
    Verification verify(long from, long to);
}
