package io.warden.audit.internal.anchoring;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformationVerifier;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampToken;
import org.jspecify.annotations.Nullable;

/**
 * Checks RFC 3161 time-stamp tokens against the time-stamp authorities' certificates an operator or auditor
 * trusts, never against a certificate the token carries by itself. A token is good when a trusted authority
 * signed it (its certificate valid then, with the timeStamping extended key usage, which Bouncy Castle's
 * {@code TimeStampToken.validate} requires), its message imprint is the SHA-256 of the bytes it is said to
 * cover, and it was issued no later than {@code maxDelay} after the time those bytes claim: a token obtained
 * later for a rewritten history carries the later time. Immutable and thread-safe.
 */
public final class TimestampVerifier {

    /** What a token proves, or why it proves nothing. */
    public sealed interface Result permits Valid, Invalid {}

    /** Issued at {@code genTime} by the authority whose certificate subject is {@code authority}. */
    public record Valid(Instant genTime, String authority) implements Result {}

    /**
     * @param code {@code anchor-invalid} (unreadable, or not signed by a trusted authority), {@code anchor-mismatch}
     *             (it covers other bytes) or {@code anchor-late} (issued more than the allowed delay after)
     */
    public record Invalid(String code, String detail) implements Result {}

    private final List<X509Certificate> trusted;
    private final Duration maxDelay;

    public TimestampVerifier(List<X509Certificate> trusted, Duration maxDelay) {
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException("a time-stamp verifier needs at least one trusted TSA certificate");
        }
        if (maxDelay.isNegative() || maxDelay.isZero()) {
            throw new IllegalArgumentException("the longest delay of a time-stamp must be positive, got " + maxDelay);
        }
        this.trusted = List.copyOf(trusted);
        this.maxDelay = maxDelay;
    }

    public List<X509Certificate> trusted() {
        return trusted;
    }

    public Duration maxDelay() {
        return maxDelay;
    }

    /**
     * Checks a DER-encoded token over {@code covered}, which claims to exist from {@code claimedTime} on.
     * Never throws for a bad token.
     */
    public Result check(byte[] token, byte[] covered, Instant claimedTime) {
        return checkDigest(token, sha256(covered), claimedTime);
    }

    /**
     * Checks a token over a SHA-256 digest; with no {@code claimedTime}, however late it was issued (a token just
     * received).
     */
    public Result checkDigest(byte[] token, byte[] digest, @Nullable Instant claimedTime) {
        TimeStampToken parsed;
        try {
            parsed = new TimeStampToken(new CMSSignedData(token));
        } catch (CMSException | TSPException | IOException | RuntimeException e) {
            return new Invalid("anchor-invalid", "the time-stamp token is not an RFC 3161 token");
        }
        @Nullable String signer = null;
        for (X509Certificate certificate : trusted) {
            try {
                X509CertificateHolder holder = new X509CertificateHolder(certificate.getEncoded());
                if (!parsed.getSID().match(holder)) {
                    continue;
                }
                SignerInformationVerifier verifier = new JcaSimpleSignerInfoVerifierBuilder().build(holder);
                parsed.validate(verifier);
                signer = holder.getSubject().toString();
                break;
            } catch (TSPException | OperatorCreationException | CertificateException | IOException e) {
                return new Invalid(
                        "anchor-invalid",
                        "the time-stamp token does not verify with the trusted TSA certificate "
                                + certificate.getSubjectX500Principal().getName() + ": " + e.getMessage());
            }
        }
        if (signer == null) {
            return new Invalid("anchor-invalid", "the time-stamp token is not signed by a trusted TSA certificate");
        }
        var info = parsed.getTimeStampInfo();
        if (!TSPAlgorithms.SHA256.equals(info.getMessageImprintAlgOID())
                || !MessageDigest.isEqual(info.getMessageImprintDigest(), digest)) {
            return new Invalid(
                    "anchor-mismatch", "the time-stamp token covers other bytes than the checkpoint: it was rewritten");
        }
        Instant genTime = info.getGenTime().toInstant();
        if (claimedTime != null && genTime.isAfter(claimedTime.plus(maxDelay))) {
            return new Invalid(
                    "anchor-late",
                    "the time-stamp was issued at " + genTime + ", more than " + maxDelay + " after the checkpoint's "
                            + claimedTime + ": it was obtained later, as for a rewritten history");
        }
        return new Valid(genTime, signer);
    }

    /** The time in a token already checked. */
    public static Instant genTime(byte[] token) {
        try {
            return new TimeStampToken(new CMSSignedData(token))
                    .getTimeStampInfo()
                    .getGenTime()
                    .toInstant();
        } catch (CMSException | TSPException | IOException e) {
            throw new IllegalArgumentException("not an RFC 3161 time-stamp token", e);
        }
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** X.509 certificates from PEM (or DER) files, each file one or more certificates. */
    public static List<X509Certificate> readCertificates(List<Path> files) throws IOException {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                for (var each : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    certificates.add((X509Certificate) each);
                }
            } catch (CertificateException e) {
                throw new IOException(file + " is not an X.509 certificate in PEM or DER", e);
            }
            if (certificates.isEmpty()) {
                throw new IOException(file + " holds no certificate");
            }
        }
        return certificates;
    }

    /** The SHA-256 of a certificate's DER encoding, as {@code sha256:HEX}. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return "sha256:" + HexFormat.of().formatHex(sha256(certificate.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the certificate cannot be encoded", e);
        }
    }
}
