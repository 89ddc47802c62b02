package io.warden.audit;

import java.time.Instant;
import java.util.HexFormat;

/**
 * An event as the log holds it: its place in the chain, its time and the chain hash up to and including it.
 *
 * @param schemaVersion the version of the canonical form the hash was computed over
 * @param hash          {@code SHA-256(hash of the previous record || canonical form of this one)}
 */
public record AuditRecord(long sequence, Instant time, int schemaVersion, AuditEvent event, byte[] hash) {

    public String hashHex() {
        return HexFormat.of().formatHex(hash);
    }
}
