package io.warden.audit.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the audit log, under {@code warden.audit}.
 *
 * @param checkpointEvery     sign a checkpoint after this many events
 * @param checkpointInterval  ... or after this long, when there are unsigned events
 * @param maxBatch            the most events one group commit writes
 * @param queueCapacity       appends waiting for the writer before appends are refused
 * @param appendTimeout       how long an append waits for its commit before it fails
 * @param signingKey          PKCS#8 PEM file of the Ed25519 checkpoint key (with {@code signingPublicKey})
 * @param signingPublicKey    X.509 PEM file of its public key
 * @param keystore            a PKCS#12 keystore holding the key instead
 * @param keyDir              where a key is generated when none is configured
 * @param trustedPublicKeys   PEM files of earlier keys whose checkpoints still verify (rotation)
 */
@ConfigurationProperties("warden.audit")
public record AuditProperties(
        @DefaultValue("1000") int checkpointEvery,
        @DefaultValue("PT60S") Duration checkpointInterval,
        @DefaultValue("1000") int maxBatch,
        @DefaultValue("100000") int queueCapacity,
        @DefaultValue("PT10S") Duration appendTimeout,
        @Nullable Path signingKey,
        @Nullable Path signingPublicKey,
        @Nullable Keystore keystore,
        @DefaultValue("./.warden/audit") Path keyDir,
        @DefaultValue List<Path> trustedPublicKeys) {

    /** A PKCS#12 keystore and the alias of the Ed25519 key in it. */
    public record Keystore(Path path, String password, String alias) {}

    public AuditProperties {
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException(
                    "warden.audit.checkpoint-every must be at least 1, got " + checkpointEvery);
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("warden.audit.checkpoint-interval must be positive, e.g. PT60S");
        }
        if (maxBatch < 1 || queueCapacity < maxBatch) {
            throw new IllegalArgumentException(
                    "warden.audit.max-batch must be at least 1 and at most warden.audit.queue-capacity");
        }
        if ((signingKey == null) != (signingPublicKey == null)) {
            throw new IllegalArgumentException("Set both warden.audit.signing-key (PKCS#8 PEM) and "
                    + "warden.audit.signing-public-key (X.509 PEM), or neither");
        }
        trustedPublicKeys = List.copyOf(trustedPublicKeys);
    }

    /** Records that may follow the last checkpoint before a verifier calls checkpoints missing. */
    long maxUnsigned() {
        return (long) checkpointEvery + maxBatch;
    }
}
