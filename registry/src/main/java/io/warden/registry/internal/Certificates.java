package io.warden.registry.internal;

import io.warden.registry.CredentialKind;
import io.warden.registry.IssuedCredential;
import io.warden.registry.RegistryException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;

/** Reads a certificate an agent's owner registers, refusing everything but one current RSA (2048+) certificate. */
final class Certificates {

    static final int MAX_PEM_LENGTH = 16 * 1024;
    private static final String FIELD = "certificate";

    private Certificates() {}

    static IssuedCredential parse(String pem, Instant now) {
        if (pem.isBlank() || pem.length() > MAX_PEM_LENGTH) {
            throw invalid("Send one X.509 certificate in PEM (-----BEGIN CERTIFICATE-----), at most " + MAX_PEM_LENGTH
                    + " characters");
        }
        if (pem.contains("PRIVATE KEY")) {
            // the private key must stay with the agent; refusing it keeps it out of the database and the audit trail
            throw invalid("This contains a private key; send only the certificate and keep the key with the agent");
        }
        if (!pem.strip().startsWith("-----BEGIN CERTIFICATE-----")) {
            throw invalid("Not a PEM certificate: it must start with -----BEGIN CERTIFICATE-----");
        }
        X509Certificate certificate;
        try {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (all.size() != 1) {
                throw invalid("Send exactly one certificate, got " + all.size());
            }
            certificate = (X509Certificate) all.iterator().next();
        } catch (CertificateException | RuntimeException e) {
            if (e instanceof RegistryException registry) {
                throw registry;
            }
            throw invalid("Not a readable X.509 certificate in PEM");
        }
        // RSA as Entra takes for client assertions (RS256/PS256); the embedded provider verifies the same way
        boolean strong = certificate.getPublicKey() instanceof RSAPublicKey rsa
                && rsa.getModulus().bitLength() >= 2048;
        if (!strong) {
            throw invalid("The certificate's key must be RSA of at least 2048 bits");
        }
        Instant notBefore = certificate.getNotBefore().toInstant();
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (!now.isBefore(notAfter)) {
            throw invalid("The certificate expired at " + notAfter);
        }
        try {
            String normalised = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            return new IssuedCredential(
                    CredentialKind.CERTIFICATE,
                    null,
                    thumbprint(certificate.getEncoded()),
                    null,
                    normalised,
                    notBefore,
                    notAfter);
        } catch (CertificateException e) {
            throw invalid("Not a readable X.509 certificate in PEM");
        }
    }

    /** The certificate's SHA-256 thumbprint as a client assertion's {@code x5t#S256} header carries it (RFC 7515 §4.1.8). */
    static String thumbprint(byte[] der) {
        try {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RegistryException invalid(String detail) {
        return new RegistryException.InvalidField(FIELD, detail);
    }
}
