package io.warden.audit;

import java.util.List;

/**
 * The public keys that verify the audit trail's signed checkpoints and exports, as configured: what an
 * auditor pins with {@code verify-export --trust}. They never come from the database.
 */
public interface AuditKeys {

    /** The trusted keys, the one this instance signs with first. */
    List<TrustedKey> trusted();

    /**
     * One trusted key.
     *
     * @param keyId       the id checkpoints and exports name it by
     * @param fingerprint {@code sha256:} and the hex SHA-256 of its X.509 SubjectPublicKeyInfo encoding
     * @param signing     whether this instance signs new checkpoints with it (the others verify older ones)
     */
    record TrustedKey(String keyId, String fingerprint, boolean signing) {}
}
