package io.warden.app.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AES-256 key that seals the embedded provider's private signing key before it reaches the database, so that
 * whoever holds the application's database credentials (or a backup of the database) holds no usable private key.
 * It comes from {@code warden.identity.key-encryption-key} (base64), from the file named by
 * {@code warden.identity.key-encryption-key-file}, or else is generated owner-only into the data folder on first start,
 * as the audit key is. Sealed values carry a version, the id of the key that sealed them, and are bound to a
 * caller-given context (the signing key's id), so a sealed value moved to another row no longer opens.
 *
 * <p>Thread-safe; the key never appears in {@link #toString()}.
 */
final class KeyEncryptionKey {

    private static final Logger log = LoggerFactory.getLogger(KeyEncryptionKey.class);

    /** The first and only format: {@code warden-kek-v1:<key id>:<base64url nonce>:<base64url ciphertext and tag>}. */
    static final String V1 = "warden-kek-v1";

    static final String FILE_NAME = "key-encryption-key";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;
    private final String id;
    private final String origin;
    private final SecureRandom random;

    KeyEncryptionKey(byte[] key, String origin, SecureRandom random) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("A key-encryption key has 32 bytes, got " + key.length);
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.id = idOf(key);
        this.origin = origin;
        this.random = random;
    }

    /** The configured key, or the one generated in {@code identity.keyDir()} (generating it on first use). */
    static KeyEncryptionKey from(IdentityProperties identity, SecureRandom random) {
        if (identity.keyEncryptionKey() != null) {
            return logged(new KeyEncryptionKey(
                    IdentityProperties.decodeKek(identity.keyEncryptionKey(), "warden.identity.key-encryption-key"),
                    "warden.identity.key-encryption-key",
                    random));
        }
        if (identity.keyEncryptionKeyFile() != null) {
            return logged(fromFile(identity.keyEncryptionKeyFile(), "warden.identity.key-encryption-key-file", random));
        }
        return generatedIn(identity.keyDir(), random);
    }

    static KeyEncryptionKey fromFile(Path file, String setting, SecureRandom random) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not read the key-encryption key " + file.toAbsolutePath() + " (" + setting + ")", e);
        }
        return new KeyEncryptionKey(
                IdentityProperties.decodeKek(text, setting + " (" + file.toAbsolutePath() + ")"),
                setting + " (" + file.toAbsolutePath() + ")",
                random);
    }

    static KeyEncryptionKey generatedIn(Path folder, SecureRandom random) {
        Path file = folder.resolve(FILE_NAME);
        if (Files.exists(file)) {
            return logged(fromFile(file, "the generated key", random));
        }
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        try {
            Files.createDirectories(folder);
            Path temporary = Files.createTempFile(
                    folder,
                    FILE_NAME,
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII);
            // a second instance on the same folder that raced us keeps the first key: the move never replaces one
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            return logged(fromFile(file, "the generated key", random));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not write the generated key-encryption key into " + folder.toAbsolutePath(), e);
        }
        KeyEncryptionKey generated = new KeyEncryptionKey(key, "the generated key " + file.toAbsolutePath(), random);
        log.warn(
                "No key-encryption key is configured for the embedded provider's signing key: generated {} in {} (owner-only). "
                        + "Back it up with the database; replicas sharing a database must all set "
                        + "warden.identity.key-encryption-key or warden.identity.key-encryption-key-file to the same key.",
                generated.id(),
                file.toAbsolutePath());
        return generated;
    }

    private static KeyEncryptionKey logged(KeyEncryptionKey kek) {
        log.info(
                "The embedded provider's signing key is sealed with key-encryption key {} from {}",
                kek.id(),
                kek.origin());
        return kek;
    }

    /** A name for the key that reveals nothing of it: a domain-separated SHA-256, 16 hex digits. */
    static String idOf(byte[] key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update("warden key-encryption key id\0".getBytes(StandardCharsets.US_ASCII));
            return "kek-" + HexFormat.of().formatHex(digest.digest(key), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    String id() {
        return id;
    }

    /** Where the key came from, for messages: the setting or the generated file. */
    String origin() {
        return origin;
    }

    static boolean isSealed(String value) {
        return value.startsWith(V1 + ":");
    }

    /** Seals {@code plaintext} for {@code context}; it opens again only for the same context and this key. */
    String seal(String context, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(context, id));
            return V1 + ":" + id + ":" + B64.encodeToString(nonce) + ":"
                    + B64.encodeToString(cipher.doFinal(plaintext));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Could not seal with the key-encryption key " + id, e);
        }
    }

    /**
     * Opens a value sealed for {@code context}.
     *
     * @throws SealedValueRefused when it is not in the sealed format, was sealed by another key or for another
     *                            context, or was altered
     */
    byte[] open(String context, String sealed) {
        String[] parts = sealed.split(":", -1);
        if (parts.length != 4 || !V1.equals(parts[0])) {
            throw new SealedValueRefused("is not a value sealed in the " + V1 + " format", null);
        }
        if (!id.equals(parts[1])) {
            throw new SealedValueRefused("was sealed with key-encryption key " + parts[1] + ", not " + id, null);
        }
        try {
            byte[] nonce = Base64.getUrlDecoder().decode(parts[2]);
            if (nonce.length != NONCE_BYTES) {
                throw new SealedValueRefused("has a nonce of " + nonce.length + " bytes", null);
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(context, parts[1]));
            return cipher.doFinal(Base64.getUrlDecoder().decode(parts[3]));
        } catch (AEADBadTagException e) {
            throw new SealedValueRefused(
                    "does not decrypt with key-encryption key " + id + " for " + context
                            + " (altered, moved from another row, or sealed with another key of the same id)",
                    e);
        } catch (IllegalArgumentException e) {
            throw new SealedValueRefused("is not valid base64url", e);
        } catch (GeneralSecurityException e) {
            throw new SealedValueRefused("could not be opened: " + e.getMessage(), e);
        }
    }

    private static byte[] associatedData(String context, String keyId) {
        return (V1 + "\0" + keyId + "\0" + context).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "KeyEncryptionKey[" + id + "]";
    }

    /** A sealed value that did not open; the message says why, never the key. */
    static final class SealedValueRefused extends RuntimeException {
        SealedValueRefused(String reason, @Nullable Throwable cause) {
            super(reason, cause);
        }
    }
}
