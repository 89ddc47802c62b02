package io.warden.audit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ed25519 keys for checkpoint signatures: loaded from a PKCS#8 PEM file (with its public key as an X.509
 * PEM file beside it) or from a PKCS#12 keystore, or generated on first start into the data folder with
 * owner-only permissions. A key id is the first 16 hex digits of the SHA-256 of the public key's encoding.
 */
public final class SigningKeys {

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

    /** A loaded key pair and its id. */
    public record SigningKey(String keyId, PrivateKey privateKey, PublicKey publicKey) {

        public byte[] sign(byte[] payload) {
            try {
                Signature signer = Signature.getInstance("Ed25519");
                signer.initSign(privateKey);
                signer.update(payload);
                return signer.sign();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("could not sign with the audit key " + keyId, e);
            }
        }
    }

    private SigningKeys() {}

    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What an auditor pins: {@code sha256:} and the hex SHA-256 of the key's X.509 SubjectPublicKeyInfo DER
     * encoding, i.e. {@code openssl pkey -pubin -outform DER | sha256sum}.
     */
    public static String fingerprint(PublicKey key) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Loads a PKCS#8 private key and its X.509 public key, both PEM, and checks they belong together. */
    public static SigningKey fromPem(Path privateKeyFile, Path publicKeyFile) {
        try {
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            PrivateKey privateKey =
                    factory.generatePrivate(new PKCS8EncodedKeySpec(pem(privateKeyFile, "PRIVATE KEY")));
            PublicKey publicKey = publicKeyFromPem(Files.readString(publicKeyFile));
            return checked(new SigningKey(keyId(publicKey), privateKey, publicKey));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not read the audit signing key " + privateKeyFile + " or " + publicKeyFile, e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "The audit signing key " + privateKeyFile
                            + " is not an Ed25519 PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----) with its public key in "
                            + publicKeyFile,
                    e);
        }
    }

    /** Loads the Ed25519 key under {@code alias} from a PKCS#12 keystore (its certificate gives the public key). */
    public static SigningKey fromKeystore(Path keystore, char[] password, String alias) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            if (!(store.getKey(alias, password) instanceof PrivateKey privateKey)
                    || store.getCertificate(alias) == null) {
                throw new IllegalStateException("The keystore " + keystore
                        + " has no private key with a certificate under alias '" + alias + "'");
            }
            PublicKey publicKey = store.getCertificate(alias).getPublicKey();
            return checked(new SigningKey(keyId(publicKey), privateKey, publicKey));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the audit keystore " + keystore, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not load the audit key '" + alias + "' from " + keystore, e);
        }
    }

    /** Loads the generated key from {@code folder}, generating it (owner-only) on first use. */
    public static SigningKey generatedIn(Path folder) {
        Path privateFile = folder.resolve("audit-signing-key.pem");
        Path publicFile = folder.resolve("audit-signing-key.pub.pem");
        if (Files.exists(privateFile)) {
            return fromPem(privateFile, publicFile);
        }
        try {
            Files.createDirectories(folder);
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Path temporary = Files.createTempFile(
                    folder,
                    "audit-signing-key",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, toPem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.writeString(publicFile, toPem("PUBLIC KEY", pair.getPublic().getEncoded()));
            Files.move(temporary, privateFile, StandardCopyOption.ATOMIC_MOVE);
            log.warn(
                    "No audit signing key is configured: generated the Ed25519 key {} in {} (owner-only). "
                            + "Back it up, or configure warden.audit.signing-key / warden.audit.keystore for production.",
                    keyId(pair.getPublic()),
                    privateFile.toAbsolutePath());
            return new SigningKey(keyId(pair.getPublic()), pair.getPrivate(), pair.getPublic());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the generated audit signing key into " + folder, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JDK cannot generate Ed25519 keys", e);
        }
    }

    public static PublicKey publicKeyFromPem(String pem) throws GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(decode(pem, "PUBLIC KEY")));
    }

    public static PublicKey publicKeyFromDer(byte[] der) throws GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    }

    public static String toPem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static SigningKey checked(SigningKey key) {
        byte[] probe = "warden audit key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key.publicKey());
            verifier.update(probe);
            if (!verifier.verify(key.sign(probe))) {
                throw new IllegalStateException("The audit public key does not belong to the private key");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The audit key pair is not a usable Ed25519 pair", e);
        }
        return key;
    }

    private static byte[] pem(Path file, String type) throws IOException {
        return decode(Files.readString(file), type);
    }

    private static byte[] decode(String pem, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int start = pem.indexOf(begin);
        int stop = pem.indexOf(end);
        if (start < 0 || stop < start) {
            throw new IllegalArgumentException("not a PEM " + type);
        }
        return Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), stop));
    }
}
