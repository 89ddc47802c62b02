package io.warden.app.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Threat: the embedded database's passwords are lost, exposed or swapped, and Warden "helps" by opening the
 * database some other way, or hangs. Each case must stop the start with a message that says what to do, and
 * leave no server running.
 */
class EmbeddedAuthenticationTests {

    @Test
    void aFolderThatRequiresPasswordsButLostItsPasswordFileDoesNotStart() throws Exception {
        Path pgdata = folderWithPasswords();
        Files.delete(EmbeddedPasswords.fileIn(pgdata));

        Instant before = Instant.now();
        assertThatThrownBy(() -> start(pgdata))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("requires passwords, but its password file")
                .hasMessageContaining("is missing");
        assertThat(Duration.between(before, Instant.now()))
                .as("refused before any server starts, not a hang")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(pgdata.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void aPasswordFileOthersMayReadIsNotUsed() throws Exception {
        Path pgdata = folderWithPasswords();
        Files.setPosixFilePermissions(EmbeddedPasswords.fileIn(pgdata), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> start(pgdata))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("may be read by others than its owner (rw-r--r--)")
                .hasMessageContaining("chmod 600");
        assertThat(pgdata.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void aPasswordFileFromAnotherFolderIsRefusedWithAMessageAndNoServerLeftRunning() throws Exception {
        Path pgdata = folderWithPasswords();
        EmbeddedPasswords.generate().writeTo(pgdata);

        assertThatThrownBy(() -> start(pgdata))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused the password in " + EmbeddedPasswords.fileIn(pgdata));
        assertThat(pgdata.resolve("postmaster.pid"))
                .as("the server the failed start ran is stopped")
                .doesNotExist();
        // (starting it again with its own file is left to a fresh JVM: the embedded server's library keeps its
        // own lock on the folder after a failed start, until the JVM exits, as it does when Warden's start fails)
    }

    @Test
    void generatedPasswordsAreLongRandomAndNeverPrinted() {
        EmbeddedPasswords one = EmbeddedPasswords.generate();
        EmbeddedPasswords two = EmbeddedPasswords.generate();
        assertThat(one.superuser()).hasSize(43).isNotEqualTo(one.application()).isNotEqualTo(two.superuser());
        assertThat(one.toString()).doesNotContain(one.superuser()).doesNotContain(one.application());
        DatabaseConfiguration.WardenDatabase database = new DatabaseConfiguration.WardenDatabase(
                null,
                null,
                "jdbc:postgresql://localhost/warden",
                "warden_app",
                one.application(),
                "postgres",
                one.superuser());
        assertThat(database.toString()).doesNotContain(one.superuser()).doesNotContain(one.application());
    }

    @Test
    void onlyTrustLinesCountAsTrust() throws Exception {
        Path hba = Files.createTempFile("pg_hba", ".conf");
        Files.writeString(hba, """
                # METHOD can be "trust", "reject", "md5", "password", "scram-sha-256"
                local all all scram-sha-256 # not trust
                """);
        assertThat(EmbeddedAuthentication.trusts(hba)).isFalse();
        Files.writeString(hba, "host all all 127.0.0.1/32 trust\n");
        assertThat(EmbeddedAuthentication.trusts(hba)).isTrue();
        Files.writeString(hba, EmbeddedAuthentication.PASSWORDS_ONLY);
        assertThat(EmbeddedAuthentication.trusts(hba)).isFalse();
    }

    /** A folder the embedded default made with passwords, its server stopped again. */
    private static Path folderWithPasswords() throws Exception {
        Path pgdata = Files.createTempDirectory("warden-pgauth-db-").resolve("pgdata");
        start(pgdata).destroy();
        assertThat(EmbeddedPasswords.fileIn(pgdata)).exists();
        return pgdata;
    }

    private static DatabaseConfiguration.WardenDatabase start(Path pgdata) {
        return new DatabaseConfiguration()
                .wardenDatabase(new DatabaseProperties(
                        null,
                        null,
                        null,
                        pgdata,
                        0,
                        "warden",
                        2,
                        null,
                        null,
                        "warden_app",
                        null,
                        Duration.ofSeconds(60)));
    }
}
