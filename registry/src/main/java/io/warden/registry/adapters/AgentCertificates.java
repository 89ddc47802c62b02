package io.warden.registry.adapters;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate credential for an agent's Entra application: a fresh RSA-2048 key pair and a self-signed
 * X.509 certificate valid until the given time. Entra keeps the certificate; the agent keeps the private key,
 * delivered through the secret store as PEM (private key, then certificate), which MSAL and the Azure SDKs read.
 */
public final class AgentCertificates {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The certificate Entra stores, and the PEM bundle the agent keeps. */
    public record Issued(X509Certificate certificate, String pem) {

        public byte[] der() {
            try {
                return certificate.getEncoded();
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private AgentCertificates() {}

    public static Issued issue(String subject, Instant notBefore, Instant notAfter) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            KeyPair keys = generator.generateKeyPair();
            X500Name name = new X500Name("CN=" + subject.replaceAll("[,=+<>#;\"\\\\]", "-"));
            var builder = new JcaX509v3CertificateBuilder(
                    name,
                    new BigInteger(64, RANDOM),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    name,
                    keys.getPublic());
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
            String pem =
                    pem("PRIVATE KEY", keys.getPrivate().getEncoded()) + pem("CERTIFICATE", certificate.getEncoded());
            return new Issued(certificate, pem);
        } catch (NoSuchAlgorithmException | OperatorCreationException | CertificateException e) {
            throw new IllegalStateException("Could not issue a certificate for " + subject, e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
