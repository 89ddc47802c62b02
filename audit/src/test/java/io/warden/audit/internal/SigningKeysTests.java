package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint keys: generated owner-only once, or loaded from PEM files or a PKCS#12 keystore. */
class SigningKeysTests {

    @TempDir
    Path folder;

    @Test
    void aGeneratedKeyIsOwnerOnlyAndTheSameAfterARestart() throws Exception {
        SigningKeys.SigningKey first = SigningKeys.generatedIn(folder);
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(folder.resolve("audit-signing-key.pem"))))
                .isEqualTo("rw-------");
        assertThat(SigningKeys.generatedIn(folder).keyId())
                .isEqualTo(first.keyId())
                .hasSize(16);
    }

    @Test
    void pemFilesMustBelongTogether() {
        SigningKeys.generatedIn(folder.resolve("a"));
        SigningKeys.generatedIn(folder.resolve("b"));
        var loaded = SigningKeys.fromPem(
                folder.resolve("a/audit-signing-key.pem"), folder.resolve("a/audit-signing-key.pub.pem"));
        assertThat(loaded.keyId())
                .isEqualTo(SigningKeys.generatedIn(folder.resolve("a")).keyId());
        assertThatThrownBy(() -> SigningKeys.fromPem(
                        folder.resolve("a/audit-signing-key.pem"), folder.resolve("b/audit-signing-key.pub.pem")))
                .hasMessageContaining("does not belong");
        assertThatThrownBy(() -> SigningKeys.fromPem(
                        folder.resolve("a/audit-signing-key.pub.pem"), folder.resolve("a/audit-signing-key.pub.pem")))
                .hasMessageContaining("PKCS#8");
    }

    @Test
    void aKeystoreMadeWithKeytoolLoads() throws Exception {
        Path keystore = folder.resolve("audit.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-keyalg",
                        "Ed25519",
                        "-alias",
                        "audit",
                        "-dname",
                        "CN=Warden audit",
                        "-keystore",
                        keystore.toString(),
                        "-storetype",
                        "PKCS12",
                        "-storepass",
                        "changeit",
                        "-validity",
                        "3650")
                .redirectErrorStream(true)
                .start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).isZero();
        var key = SigningKeys.fromKeystore(keystore, "changeit".toCharArray(), "audit");
        assertThat(key.keyId()).hasSize(16);
        assertThatThrownBy(() -> SigningKeys.fromKeystore(keystore, "changeit".toCharArray(), "nope"))
                .hasMessageContaining("alias 'nope'");
    }
}
