package io.warden.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.warden.app.IntegrationTest;
import io.warden.app.WardenClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The embedded provider's secrets at rest, read as whoever holds the application's database credentials would read
 * them: the signing key sealed with a key outside the database, token values hashed, expired authorizations purged,
 * rows earlier versions wrote converted, and rows that do not open refusing the start. Each test names its threat.
 */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedProviderSecretsAtRestTests extends IntegrationTest {

    private static final String AGENT = "demo-retrieval-agent";
    private static final String AGENT_SECRET = "demo-retrieval-agent-secret";

    /** The application role's. */
    @Autowired
    JdbcClient jdbc;

    /** The schema owner's, as Flyway migrates. */
    @Autowired
    @FlywayDataSource
    DataSource owner;

    @Autowired
    ExpiredAuthorizations expiredAuthorizations;

    /** Threat: the application's database credentials (or a database backup) yield the provider's private signing key. */
    @Test
    void theSigningKeyRowYieldsNoPrivateKeyToTheApplicationRole() throws Exception {
        assertThat(jdbc.sql("select current_user").query(String.class).single()).isEqualTo("warden_app");
        List<Map<String, @Nullable Object>> rows =
                jdbc.sql("select kid, jwk from idp_signing_key").query().listOfRows();
        assertThat(rows).isNotEmpty();
        for (Map<String, @Nullable Object> row : rows) {
            String stored = (String) row.get("jwk");
            assertThat(stored)
                    .startsWith("warden-kek-v1:kek-")
                    .doesNotContain("\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"qi\"", "{");
            assertThatThrownBy(() -> JWK.parse(stored)).isInstanceOf(ParseException.class);
        }
        // the key the provider signs with is the sealed one: its public half is what /oauth2/jwks serves
        JsonNode jwks = client.get("/oauth2/jwks", null).json();
        assertThat(jwks.get("keys").get(0).get("kid").asString())
                .isEqualTo(rows.get(0).get("kid"));
        assertThat(jwks.toString()).doesNotContain("\"d\"");
        Path kek = DATA.resolve("identity").resolve(KeyEncryptionKey.FILE_NAME);
        assertThat(kek).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kek)))
                .isEqualTo("rw-------");
    }

    /** Threat: the application's database credentials add a clear key to the list of keys an earlier version wrote. */
    @Test
    void theApplicationRoleCannotListAClearKeyForSealing() {
        assertThat(jdbc.sql("select has_table_privilege('idp_signing_key_clear', 'INSERT') or "
                                + "has_table_privilege('idp_signing_key_clear', 'UPDATE')")
                        .query(Boolean.class)
                        .single())
                .isFalse();
        assertThatThrownBy(() -> jdbc.sql("insert into idp_signing_key_clear (kid) values ('planted')")
                        .update())
                .rootCause()
                .hasMessageContaining("permission denied for table idp_signing_key_clear");
    }

    /** Threat: an agent's access token read from oauth2_authorization is presented as that agent. */
    @Test
    void aClientCredentialsAccessTokenIsStoredOnlyAsItsHash() {
        String token = freshAgentToken();
        assertThat(tableText()).doesNotContain(token);
        assertThat(jdbc.sql("select count(*) from oauth2_authorization where access_token_value = :hash")
                        .param("hash", HashedTokenAuthorizationService.hash(token))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    /** Threat: a person's authorization code, access token or ID token read from oauth2_authorization is replayed. */
    @Test
    void anAuthorizationCodeExchangeStoresNoCodeOrTokenInClear() {
        WardenClient.SignIn signIn = client.signInWithCode("otto.owner", "warden-demo");
        String access = signIn.tokens().get("access_token").asString();
        String id = signIn.tokens().get("id_token").asString();
        assertThat(client.get("/api/v1/agents?size=1", access).status())
                .as("the token works")
                .isEqualTo(200);
        String table = tableText();
        assertThat(table).doesNotContain(signIn.code()).doesNotContain(access).doesNotContain(id);
        assertThat(jdbc.sql("""
                select count(*) from oauth2_authorization
                where authorization_code_value = :code and access_token_value = :access and oidc_id_token_value = :id""")
                        .param("code", HashedTokenAuthorizationService.hash(signIn.code()))
                        .param("access", HashedTokenAuthorizationService.hash(access))
                        .param("id", HashedTokenAuthorizationService.hash(id))
                        .query(Long.class)
                        .single())
                .isEqualTo(1);
    }

    /**
     * Threat: hashing breaks revocation, so a leaked token cannot be revoked; or the stored hash itself becomes a token
     * that whoever reads the table can present.
     */
    @Test
    void introspectionAndRevocationFindTheTokenByItsValueAndNeverByItsHash() {
        String token = freshAgentToken();
        assertThat(introspect(token).get("active").asBoolean()).isTrue();
        assertThat(introspect(token).get("client_id").asString()).isEqualTo(AGENT);
        assertThat(introspect(HashedTokenAuthorizationService.hash(token))
                        .get("active")
                        .asBoolean())
                .as("the stored hash is not a token")
                .isFalse();

        assertThat(agentForm("/oauth2/revoke", "token=" + token).status()).isEqualTo(200);

        assertThat(introspect(token).get("active").asBoolean()).isFalse();
        assertThat(tableText())
                .as("saving the revoked authorization stored no clear value")
                .doesNotContain(token);
        assertThat(jdbc.sql("select access_token_metadata from oauth2_authorization where access_token_value = :hash")
                        .param("hash", HashedTokenAuthorizationService.hash(token))
                        .query(String.class)
                        .single())
                .contains("\"metadata.token.invalidated\":true");
    }

    /** Threat: old authorizations pile up for ever, each telling a reader of the database who was issued what, when. */
    @Test
    void authorizationsWhoseEveryTokenExpiredBeforeTheGraceAreDeletedOthersStay(CapturedOutput output) {
        Instant now = Clock.systemUTC().instant();
        String gone = insertAuthorization(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(2)));
        String refreshable = insertAuthorization(now.minus(Duration.ofDays(2)), now.plus(Duration.ofDays(1)));
        String inGrace = insertAuthorization(now.minus(Duration.ofMinutes(10)), null);
        try {
            assertThat(expiredAuthorizations.purge()).isGreaterThanOrEqualTo(1);
            assertThat(exists(gone)).isFalse();
            assertThat(exists(refreshable))
                    .as("its refresh token is still valid")
                    .isTrue();
            assertThat(exists(inGrace))
                    .as("expired less than the grace period ago")
                    .isTrue();
            assertThat(expiredAuthorizations.purge()).as("idempotent").isZero();
            assertThat(output.getAll())
                    .contains("authorizations of the embedded provider whose every token expired before");
        } finally {
            jdbc.sql("delete from oauth2_authorization where id in (:ids)")
                    .param("ids", List.of(gone, refreshable, inGrace))
                    .update();
        }
    }

    /**
     * Threat: an upgrade leaves the key and tokens an earlier version wrote in clear. A schema as it stood before
     * V16_10 (at V16_01), with a clear JWK row and clear token values, is migrated and started: tokens are hashed with the same
     * function the provider looks them up with, and the key is sealed in place, with a log line, and still the same key.
     */
    @Test
    void theClearKeyAndTokensOfAnEarlierVersionAreConvertedAtStart(CapturedOutput output) throws Exception {
        try (Scratch scratch = new Scratch("16.01")) {
            RSAKey earlier = new RSAKeyGenerator(2048)
                    .keyUse(KeyUse.SIGNATURE)
                    .keyIDFromThumbprint(true)
                    .generate();
            scratch.jdbc
                    .sql("insert into idp_signing_key (kid, jwk, active, created_at) values (?, ?, true, now())")
                    .params(earlier.getKeyID(), earlier.toJSONString())
                    .update();
            scratch.jdbc.sql("""
                    insert into oauth2_authorization (id, registered_client_id, principal_name, authorization_grant_type,
                        authorization_code_value, access_token_value, oidc_id_token_value, refresh_token_value,
                        user_code_value, device_code_value)
                    values ('a1', 'c1', 'p1', 'authorization_code', 'clear-code', 'clear.access.token', 'clear.id.token',
                        'clear-refresh', 'CLEAR-USER', 'clear-device')""").update();

            scratch.migrate(null);

            Map<String, @Nullable Object> row = scratch.jdbc.sql("""
                    select authorization_code_value c, access_token_value a, oidc_id_token_value i, refresh_token_value r,
                           user_code_value u, device_code_value d from oauth2_authorization where id = 'a1'""").query().singleRow();
            assertThat(row)
                    .containsEntry("c", HashedTokenAuthorizationService.hash("clear-code"))
                    .containsEntry("a", HashedTokenAuthorizationService.hash("clear.access.token"))
                    .containsEntry("i", HashedTokenAuthorizationService.hash("clear.id.token"))
                    .containsEntry("r", HashedTokenAuthorizationService.hash("clear-refresh"))
                    .containsEntry("u", HashedTokenAuthorizationService.hash("CLEAR-USER"))
                    .containsEntry("d", HashedTokenAuthorizationService.hash("clear-device"));

            KeyEncryptionKey kek = new KeyEncryptionKey(randomKey(), "a test key", new SecureRandom());
            JWK loaded = scratch.signingKeys(kek).load().getKeys().getFirst();

            assertThat(loaded.toRSAKey().toPrivateKey()).isEqualTo(earlier.toPrivateKey());
            String stored = scratch.jdbc
                    .sql("select jwk from idp_signing_key")
                    .query(String.class)
                    .single();
            assertThat(stored).startsWith("warden-kek-v1:" + kek.id() + ":").doesNotContain("\"d\"");
            assertThat(scratch.jdbc
                            .sql("select count(*) from idp_signing_key_clear")
                            .query(Long.class)
                            .single())
                    .isZero();
            assertThat(output.getAll())
                    .contains("Sealed the embedded provider's signing key " + earlier.getKeyID()
                            + ", which an earlier version stored in clear");
            assertThat(scratch.signingKeys(kek).load().getKeys().getFirst().getKeyID())
                    .as("the next start opens it")
                    .isEqualTo(earlier.getKeyID());
        }
    }

    /**
     * Threat: a replica configured with another key-encryption key, or a key row planted by someone holding the
     * application's database credentials (sealed under their own key, moved from another row, or in clear), is used
     * or silently replaced by a fresh key. Each must stop the start with a message naming the setting.
     */
    @Test
    void aKeyRowThatDoesNotOpenStopsTheStartNamingTheSetting() throws Exception {
        try (Scratch scratch = new Scratch(null)) {
            KeyEncryptionKey ours = new KeyEncryptionKey(randomKey(), "a test key", new SecureRandom());
            String kid = scratch.signingKeys(ours).load().getKeys().getFirst().getKeyID();
            String sealed = scratch.jdbc
                    .sql("select jwk from idp_signing_key")
                    .query(String.class)
                    .single();

            KeyEncryptionKey another = new KeyEncryptionKey(randomKey(), "another replica's key", new SecureRandom());
            assertThatThrownBy(() -> scratch.signingKeys(another).load())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("warden.identity.key-encryption-key")
                    .hasMessageContaining("was sealed with key-encryption key " + ours.id() + ", not " + another.id());
            assertThat(scratch.jdbc
                            .sql("select jwk from idp_signing_key")
                            .query(String.class)
                            .list())
                    .as("no new key generated, nothing rewritten")
                    .containsExactly(sealed);

            // planted: an attacker's key sealed under a key of their own that claims our key's id
            RSAKey attackers = new RSAKeyGenerator(2048)
                    .keyUse(KeyUse.SIGNATURE)
                    .keyIDFromThumbprint(true)
                    .generate();
            String forged = "warden-kek-v1:" + ours.id() + ":"
                    + another.seal(
                                    SigningKeys.context(attackers.getKeyID()),
                                    attackers.toJSONString().getBytes(StandardCharsets.UTF_8))
                            .split(":", 3)[2];
            scratch.jdbc
                    .sql("update idp_signing_key set jwk = ?, kid = ?")
                    .params(forged, attackers.getKeyID())
                    .update();
            assertThatThrownBy(() -> scratch.signingKeys(ours).load())
                    .hasMessageContaining("does not decrypt")
                    .hasMessageContaining("warden.identity.key-encryption-key");

            // moved: our own sealed key under another row's kid
            scratch.jdbc
                    .sql("update idp_signing_key set jwk = ?, kid = ?")
                    .params(sealed, attackers.getKeyID())
                    .update();
            assertThatThrownBy(() -> scratch.signingKeys(ours).load())
                    .hasMessageContaining("does not decrypt")
                    .hasMessageContaining("warden.identity.key-encryption-key");

            // planted in clear, after the upgrade listed the clear rows it found
            scratch.jdbc
                    .sql("update idp_signing_key set jwk = ?, kid = ?")
                    .params(attackers.toJSONString(), attackers.getKeyID())
                    .update();
            assertThatThrownBy(() -> scratch.signingKeys(ours).load())
                    .hasMessageContaining("stored in clear")
                    .hasMessageContaining("warden.identity.key-encryption-key");
            assertThat(scratch.jdbc
                            .sql("select jwk from idp_signing_key")
                            .query(String.class)
                            .single())
                    .as("the planted clear key was not sealed into a trusted one")
                    .isEqualTo(attackers.toJSONString());
            assertThat(kid).isNotEqualTo(attackers.getKeyID());
        }
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    private String freshAgentToken() {
        WardenClient.Response response = agentForm("/oauth2/token", "grant_type=client_credentials");
        assertThat(response.status()).isEqualTo(200);
        return response.json().get("access_token").asString();
    }

    private JsonNode introspect(String token) {
        WardenClient.Response response = agentForm("/oauth2/introspect", "token=" + token);
        assertThat(response.status()).isEqualTo(200);
        return response.json();
    }

    private static WardenClient.Response agentForm(String path, String body) {
        return client.send(client.request(path)
                .header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((AGENT + ":" + AGENT_SECRET).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Every column of every authorization, as text: what a reader of the table sees. */
    private String tableText() {
        return String.join(
                "\n",
                jdbc.sql("select t::text from oauth2_authorization t")
                        .query(String.class)
                        .list());
    }

    private String insertAuthorization(Instant accessExpires, @Nullable Instant refreshExpires) {
        String id = "purge-test-" + UUID.randomUUID();
        jdbc.sql("""
                insert into oauth2_authorization (id, registered_client_id, principal_name, authorization_grant_type,
                    access_token_value, access_token_issued_at, access_token_expires_at,
                    refresh_token_value, refresh_token_issued_at, refresh_token_expires_at)
                values (:id, 'purge-test', 'purge-test', 'client_credentials', :access, :issued, :accessExpires,
                    :refresh, :issued, :refreshExpires)""")
                .param("id", id)
                .param("access", HashedTokenAuthorizationService.hash(id))
                .param("issued", Timestamp.from(accessExpires.minus(Duration.ofMinutes(15))))
                .param("accessExpires", Timestamp.from(accessExpires))
                .param("refresh", refreshExpires == null ? null : HashedTokenAuthorizationService.hash(id + "r"))
                .param("refreshExpires", refreshExpires == null ? null : Timestamp.from(refreshExpires))
                .update();
        return id;
    }

    private boolean exists(String id) {
        return jdbc.sql("select count(*) from oauth2_authorization where id = :id")
                        .param("id", id)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /**
     * A schema of its own in the same PostgreSQL, migrated by the schema owner, for starts that must not touch the
     * running instance's tables. Its owner stands in for the application role (the migrations' grants then change
     * nothing on the running instance's tables).
     */
    private final class Scratch implements AutoCloseable {

        final String schema = "idp_" + Long.toHexString(System.nanoTime());
        final DataSource dataSource;
        final JdbcClient jdbc;

        Scratch(@Nullable String target) throws SQLException {
            dataSource = new DelegatingDataSource(owner) {
                @Override
                public Connection getConnection() throws SQLException {
                    Connection connection = super.getConnection();
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("set search_path to " + schema);
                    }
                    return connection;
                }
            };
            jdbc = JdbcClient.create(dataSource);
            migrate(target);
        }

        /** Migrates to {@code target}, or to the latest version when null. */
        void migrate(@Nullable String target) {
            var configuration = Flyway.configure()
                    .dataSource(owner)
                    .schemas(schema)
                    .placeholders(Map.of("appRole", ownerRole()))
                    .locations("classpath:db/migration");
            if (target != null) {
                configuration.target(target);
            }
            configuration.load().migrate();
        }

        SigningKeys signingKeys(KeyEncryptionKey kek) {
            return new SigningKeys(
                    jdbc,
                    new TransactionTemplate(new DataSourceTransactionManager(dataSource)),
                    kek,
                    Clock.systemUTC());
        }

        private String ownerRole() {
            try (Connection connection = owner.getConnection()) {
                return connection.getMetaData().getUserName();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            JdbcClient.create(owner).sql("drop schema " + schema + " cascade").update();
        }
    }
}
