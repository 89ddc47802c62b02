package io.warden.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key-encryption key of the embedded provider's signing key: its envelope, its configuration and its generated file. */
class KeyEncryptionKeyTests {

    private final KeyEncryptionKey kek = new KeyEncryptionKey(bytes(1), "test", new SecureRandom());

    /** Threat: a sealed key copied onto another row (another kid) is opened and trusted there. */
    @Test
    void aSealedValueOpensOnlyForItsOwnContext() {
        String sealed = kek.seal("idp_signing_key/a", "secret".getBytes(StandardCharsets.UTF_8));
        assertThat(sealed).startsWith("warden-kek-v1:" + kek.id() + ":").doesNotContain("secret");
        assertThat(new String(kek.open("idp_signing_key/a", sealed), StandardCharsets.UTF_8))
                .isEqualTo("secret");
        assertThatThrownBy(() -> kek.open("idp_signing_key/b", sealed))
                .isInstanceOf(KeyEncryptionKey.SealedValueRefused.class)
                .hasMessageContaining("does not decrypt");
    }

    /** Threat: a value altered in the database, or sealed by another key, is accepted. */
    @Test
    void anAlteredValueOrAnotherKeysValueIsRefused() {
        String sealed = kek.seal("c", new byte[] {1, 2, 3});
        // a character inside the ciphertext, not the last one, whose low bits may be padding the decoder ignores
        int at = sealed.length() - 5;
        char original = sealed.charAt(at);
        String altered = sealed.substring(0, at) + (original == 'A' ? 'B' : 'A') + sealed.substring(at + 1);
        assertThatThrownBy(() -> kek.open("c", altered)).isInstanceOf(KeyEncryptionKey.SealedValueRefused.class);
        KeyEncryptionKey other = new KeyEncryptionKey(bytes(2), "other", new SecureRandom());
        assertThatThrownBy(() -> other.open("c", sealed))
                .hasMessageContaining("was sealed with key-encryption key " + kek.id());
        assertThatThrownBy(() -> kek.open("c", "{\"kty\":\"RSA\"}")).hasMessageContaining("not a value sealed");
        assertThat(kek.toString()).doesNotContain(Base64.getEncoder().encodeToString(bytes(1)));
    }

    /** Threat: a generated key readable by other local users, or replaced by a second start. */
    @Test
    void theGeneratedKeyIsOwnerOnlyAndKeptAcrossStarts(@TempDir Path folder) throws Exception {
        KeyEncryptionKey first = KeyEncryptionKey.generatedIn(folder, new SecureRandom());
        Path file = folder.resolve(KeyEncryptionKey.FILE_NAME);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        KeyEncryptionKey second = KeyEncryptionKey.generatedIn(folder, new SecureRandom());
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.open("x", first.seal("x", new byte[] {7}))).containsExactly(7);
    }

    @Test
    void aConfiguredKeyThatIsNotThirtyTwoBytesOfBase64IsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> properties("not base64!", null))
                .hasMessageContaining("warden.identity.key-encryption-key")
                .hasMessageContaining("not base64")
                .hasMessageNotContaining("not base64!");
        assertThatThrownBy(() -> properties(Base64.getEncoder().encodeToString(new byte[16]), null))
                .hasMessageContaining("warden.identity.key-encryption-key")
                .hasMessageContaining("16 bytes");
        assertThatThrownBy(() -> properties(Base64.getEncoder().encodeToString(bytes(1)), Path.of("/k")))
                .hasMessageContaining("not both");
        String configured = Base64.getEncoder().encodeToString(bytes(1));
        assertThat(properties(configured, null).toString()).doesNotContain(configured);
        assertThat(KeyEncryptionKey.from(properties(configured, null), new SecureRandom())
                        .id())
                .isEqualTo(kek.id());
        assertThat(properties("", null).keyEncryptionKey())
                .as("an unset environment variable")
                .isNull();
    }

    @Test
    void aKeyFileIsReadAndABadOneIsRefusedNamingTheSetting(@TempDir Path folder) throws Exception {
        Path good = Files.writeString(folder.resolve("kek"), Base64.getEncoder().encodeToString(bytes(1)) + "\n");
        assertThat(KeyEncryptionKey.from(properties(null, good), new SecureRandom())
                        .id())
                .isEqualTo(kek.id());
        Path bad = Files.writeString(folder.resolve("bad"), "c2hvcnQ=");
        assertThatThrownBy(() -> KeyEncryptionKey.from(properties(null, bad), new SecureRandom()))
                .hasMessageContaining("warden.identity.key-encryption-key-file");
        assertThatThrownBy(() -> KeyEncryptionKey.from(properties(null, folder.resolve("missing")), new SecureRandom()))
                .hasMessageContaining("warden.identity.key-encryption-key-file");
    }

    /** The embedded provider's settings with a key given inline, as a file, both, or neither (null: not set). */
    private static IdentityProperties properties(@Nullable String key, @Nullable Path file) {
        return new IdentityProperties(
                IdentityProperties.Provider.EMBEDDED,
                URI.create("http://localhost:8080"),
                null,
                "api://warden",
                "t",
                Duration.ofMinutes(5),
                null,
                Duration.ofMinutes(5),
                key,
                file,
                Path.of(".warden/identity"),
                Duration.ofMinutes(15),
                Duration.ofHours(1));
    }

    private static byte[] bytes(int seed) {
        byte[] key = new byte[32];
        new Random(seed).nextBytes(key);
        return key;
    }
}
