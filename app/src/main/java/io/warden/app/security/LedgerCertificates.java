package io.warden.app.security;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.SignedJWT;
import io.warden.registry.AgentCredential;
import io.warden.registry.CredentialKind;
import io.warden.registry.CredentialLedger;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Objects;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionDecoderFactory;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;

/**
 * Verifies private_key_jwt client assertions (RFC 7523) with the certificates registered for the client in the
 * credential ledger. The assertion names its certificate in the {@code x5t#S256} header, as Entra's do; only a
 * registered, unrevoked certificate within its validity dates (by the injected clock) is used, and the
 * assertion's claims are checked as Spring Authorization Server checks them (issuer and subject the client
 * id, audience this issuer or its token endpoint, expiry). Anything else is an invalid client. Thread-safe.
 */
final class LedgerCertificates implements JwtDecoderFactory<RegisteredClient> {

    private final CredentialLedger ledger;
    private final Clock clock;

    LedgerCertificates(CredentialLedger ledger, Clock clock) {
        this.ledger = ledger;
        this.clock = clock;
    }

    @Override
    public JwtDecoder createDecoder(RegisteredClient client) {
        return token -> {
            String thumbprint;
            JWSAlgorithm algorithm;
            try {
                SignedJWT jwt = SignedJWT.parse(token);
                Base64URL x5t = jwt.getHeader().getX509CertSHA256Thumbprint();
                if (x5t == null) {
                    throw new BadJwtException("The client assertion names no certificate (x5t#S256 header)");
                }
                thumbprint = x5t.toString();
                algorithm = jwt.getHeader().getAlgorithm();
            } catch (ParseException e) {
                throw new BadJwtException("The client assertion is not a signed JWT", e);
            }
            Instant now = clock.instant();
            AgentCredential registered = ledger.usable(client.getClientId(), now).stream()
                    .filter(credential -> credential.kind() == CredentialKind.CERTIFICATE
                            && thumbprint.equals(credential.fingerprint()))
                    .findFirst()
                    .orElseThrow(() -> new BadJwtException(
                            "No current certificate with that x5t#S256 is registered for the client"));
            X509Certificate certificate = certificate(registered);
            try {
                certificate.checkValidity(Date.from(now));
            } catch (CertificateException e) {
                throw new BadJwtException("The client's certificate is outside its validity dates", e);
            }
            NimbusJwtDecoder decoder = decoder(certificate, algorithm);
            decoder.setJwtValidator(JwtClientAssertionDecoderFactory.DEFAULT_JWT_VALIDATOR_FACTORY.apply(client));
            return decoder.decode(token);
        };
    }

    private static NimbusJwtDecoder decoder(X509Certificate certificate, JWSAlgorithm algorithm) {
        if (certificate.getPublicKey() instanceof RSAPublicKey rsa && JWSAlgorithm.Family.RSA.contains(algorithm)) {
            return NimbusJwtDecoder.withPublicKey(rsa)
                    .signatureAlgorithm(SignatureAlgorithm.from(algorithm.getName()))
                    .build();
        }
        throw new BadJwtException(
                "The client assertion's algorithm " + algorithm + " does not fit the certificate's key");
    }

    private static X509Certificate certificate(AgentCredential credential) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Objects.requireNonNull(
                                    credential.certificatePem(), "a certificate credential carries its PEM")
                            .getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException | RuntimeException e) {
            throw new BadJwtException("The client's registered certificate cannot be read", e);
        }
    }
}
