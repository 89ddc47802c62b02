package io.warden.audit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Threat: someone holding the application's database credentials plants a checkpoint key, signs a forged
 * export with it and has the README's verification flow call it valid. The database refuses the row, and
 * a row that got there anyway (the schema owner, a restored backup) is never served as a trusted key.
 */
@ExtendWith(OutputCaptureExtension.class)
class AuditKeyTrustTests {

    private static final String APP_ROLE = "audit_test_app";

    @TempDir
    Path keys;

    @Test
    void theApplicationRoleCannotWriteTheKeyTable() throws Exception {
        AuditDatabase database = new AuditDatabase(APP_ROLE);
        var planted = SigningKeys.generatedIn(keys.resolve("planted"));
        try (Connection app = database.connectAs(APP_ROLE)) {
            try (var read = app.createStatement()) {
                read.executeQuery("select count(*) from audit_signing_key").close(); // reading stays allowed
            }
            assertThatThrownBy(() -> {
                        try (PreparedStatement insert = app.prepareStatement("""
                        insert into audit_signing_key (key_id, algorithm, public_key, created_at)
                        values (?, 'Ed25519', ?, now())""")) {
                            insert.setString(1, planted.keyId());
                            insert.setBytes(2, planted.publicKey().getEncoded());
                            insert.executeUpdate();
                        }
                    })
                    .isInstanceOfSatisfying(
                            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42501"));
            // the audit trail itself is still appendable by the application
            try (var privileges = app.createStatement().executeQuery("""
                    select has_table_privilege('audit_event', 'INSERT'), has_table_privilege('audit_signing_key', 'INSERT'),
                           has_table_privilege('audit_signing_key', 'UPDATE'), has_table_privilege('audit_signing_key', 'DELETE')""")) {
                privileges.next();
                assertThat(privileges.getBoolean(1)).isTrue();
                assertThat(privileges.getBoolean(2)).isFalse();
                assertThat(privileges.getBoolean(3)).isFalse();
                assertThat(privileges.getBoolean(4)).isFalse();
            }
        }
    }

    @Test
    void aKeyRowInTheTableIsNeitherServedNorTrusted() {
        AuditDatabase database = new AuditDatabase();
        var signing = SigningKeys.generatedIn(keys.resolve("signing"));
        var planted = SigningKeys.generatedIn(keys.resolve("planted"));
        database.tamper("insert into audit_signing_key (key_id, algorithm, public_key, created_at) values ('"
                + planted.keyId() + "', 'Ed25519', decode('"
                + HexFormat.of().formatHex(planted.publicKey().getEncoded())
                + "', 'hex'), now())");
        PublishedKeys published = new PublishedKeys(signing, Map.of());
        assertThat(published.keys()).containsOnlyKeys(signing.keyId());
        assertThat(published.jwks()).extracting(jwk -> jwk.get("kid")).containsExactly(signing.keyId());
        assertThat(published.jwks().getFirst().get("fingerprint"))
                .isEqualTo(SigningKeys.fingerprint(signing.publicKey()));
    }

    @Test
    void everyTrustedKeysFingerprintIsLoggedWhenTheKeysAreLoaded(CapturedOutput output) {
        var signing = SigningKeys.generatedIn(keys.resolve("signing"));
        var earlier = SigningKeys.generatedIn(keys.resolve("earlier"));
        new PublishedKeys(signing, Map.of(earlier.keyId(), earlier.publicKey()));
        assertThat(output.getAll())
                .contains("Audit key " + signing.keyId() + " is trusted (this instance signs with it): fingerprint "
                        + SigningKeys.fingerprint(signing.publicKey()))
                .contains("Audit key " + earlier.keyId() + " is trusted: fingerprint "
                        + SigningKeys.fingerprint(earlier.publicKey()));
    }
}
