package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import com.zaxxer.hikari.HikariDataSource;
import io.warden.WardenApplication;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Threat: a local process (another user's, or anything compromised on the host) connects to the embedded
 * PostgreSQL as its superuser or as the application, without a password, and rewrites the registry, the
 * grants or the audit trail. The embedded server used to be initialised with trust authentication.
 */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedDatabaseAuthenticationTests {

    @Test
    void aNewFolderRefusesConnectionsWithoutTheirPasswordAndWardenRunsOnItsOwn(CapturedOutput output) throws Exception {
        Path data = Files.createTempDirectory("warden-pgauth-");
        int port = IntegrationTest.freePort();
        try (ConfigurableApplicationContext warden = start(data, port)) {
            WardenClient client = new WardenClient("http://localhost:" + port);
            String token = client.personToken("otto.owner");
            var created = client.call("POST", "/api/v1/agents", token, """
                    {"name":"Behind a password","kind":"RETRIEVAL","purpose":"p","dataScopes":["imaging-ct-deid"]}""");
            assertThat(created.status())
                    .as("Warden works on its password-protected database")
                    .isEqualTo(201);

            Path pgdata = data.resolve("pgdata");
            Properties passwords = passwords(pgdata);
            int pgPort = embeddedPort(warden);
            assertRefused(pgPort, "postgres", null);
            assertRefused(pgPort, "warden_app", null);
            assertRefused(pgPort, "postgres", "not-the-password");
            assertRefused(pgPort, "warden_app", passwords.getProperty("superuser"));
            assertConnects(pgPort, "postgres", passwords.getProperty("superuser"));
            assertConnects(pgPort, "warden_app", passwords.getProperty("application"));

            // Threat: another local user reads the passwords instead of guessing them.
            assertThat(PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(pgdata.resolve("warden-passwords.properties"))))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pgdata)))
                    .isEqualTo("rwx------");
            assertThat(trustLines(pgdata))
                    .as("no line of pg_hba.conf lets a connection in without a password")
                    .isEmpty();
            assertThat(data.resolve("pgdata.initdb-password"))
                    .as("initdb's copy of the password is gone")
                    .doesNotExist();
            // Threat: the passwords end up in a log that more people read than the data folder.
            assertThat(output.getAll())
                    .doesNotContain(passwords.getProperty("superuser"))
                    .doesNotContain(passwords.getProperty("application"));
        }
    }

    /**
     * The upgrade: a data folder as the release before issue 16 left it — trust authentication, its schema (migrations up
     * to V16_01), the provider's signing key as a clear JWK in {@code idp_signing_key}, an issued token in clear in
     * {@code oauth2_authorization} — comes up on this version migrated: passwords required, the same key now sealed,
     * the token stored only as its hash, every row kept.
     */
    @Test
    void aFolderMadeWithTrustAuthenticationIsMovedToPasswordsWithItsDataKept(CapturedOutput output) throws Exception {
        Path data = Files.createTempDirectory("warden-pgauth-upgrade-");
        Path pgdata = data.resolve("pgdata");
        RSAKey earlierKey = makeFolderAsEarlierVersionsDid(pgdata);

        int port = IntegrationTest.freePort();
        WardenClient client = new WardenClient("http://localhost:" + port);
        String id;
        try (ConfigurableApplicationContext warden = start(data, port)) {
            assertThat(output.getAll()).contains("It now requires passwords (SCRAM-SHA-256) for every connection");
            String token = client.personToken("otto.owner");
            var created = client.call("POST", "/api/v1/agents", token, """
                    {"name":"After the upgrade","kind":"RETRIEVAL","purpose":"p","dataScopes":["imaging-ct-deid"]}""");
            assertThat(created.status()).isEqualTo(201);
            id = created.json().get("id").asString();

            int pgPort = embeddedPort(warden);
            assertRefused(pgPort, "postgres", null);
            assertRefused(pgPort, "warden_app", null);
            assertThat(trustLines(pgdata)).isEmpty();
            assertThat(PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(pgdata.resolve("warden-passwords.properties"))))
                    .isEqualTo("rw-------");
            try (Connection connection = DriverManager.getConnection(
                            "jdbc:postgresql://localhost:" + pgPort + "/warden",
                            "postgres",
                            passwords(pgdata).getProperty("superuser"));
                    Statement statement = connection.createStatement()) {
                var rows = statement.executeQuery("select note from earlier.notes order by id");
                List<String> notes = new ArrayList<>();
                while (rows.next()) {
                    notes.add(rows.getString(1));
                }
                assertThat(notes).as("the data written before the upgrade").containsExactly("first", "second");
                // the key is the same and no longer readable in clear; the token is there only as its hash
                var key = statement.executeQuery(
                        "select jwk from idp_signing_key where kid = '" + earlierKey.getKeyID() + "'");
                assertThat(key.next()).as("the earlier key kept").isTrue();
                assertThat(key.getString(1)).startsWith("warden-kek-v1:").doesNotContain("\"d\"");
                var stored = statement.executeQuery(
                        "select access_token_value from oauth2_authorization where id = 'earlier-1'");
                assertThat(stored.next()).isTrue();
                assertThat(stored.getString(1))
                        .isEqualTo("sha256:"
                                + HexFormat.of()
                                        .formatHex(MessageDigest.getInstance("SHA-256")
                                                .digest(EARLIER_TOKEN.getBytes(StandardCharsets.UTF_8))));
            }
            // tokens are still signed with the key the earlier version made: the published key is it
            var published = JWKSet.parse(client.get("/oauth2/jwks", null).body());
            assertThat(published.getKeyByKeyId(earlierKey.getKeyID()))
                    .as("the earlier key still signs")
                    .isNotNull();
            assertThat(((RSAKey) published.getKeyByKeyId(earlierKey.getKeyID())).getModulus())
                    .isEqualTo(earlierKey.getModulus());
            assertThat(SignedJWT.parse(token).verify(new RSASSAVerifier(earlierKey.toPublicJWK())))
                    .as("a token issued after the upgrade verifies with the earlier public key")
                    .isTrue();
            assertThat(output.getAll()).contains("which an earlier version stored in clear");
        }
        // the next start reads the passwords it wrote, and finds what the first start stored
        try (ConfigurableApplicationContext again = start(data, port)) {
            var found = client.get("/api/v1/agents/" + id, client.personToken("otto.owner"));
            assertThat(found.status()).isEqualTo(200);
            assertThat(found.json().get("name").asString()).isEqualTo("After the upgrade");
        }
    }

    /**
     * The folder the embedded default made before passwords: the embedded server's own initdb (trust), then the
     * database and the application role created without a password, and data written over a connection that
     * gave none.
     */
    private static RSAKey makeFolderAsEarlierVersionsDid(Path pgdata) throws Exception {
        Files.createDirectories(pgdata);
        RSAKey key = new RSAKeyGenerator(2048)
                .keyUse(KeyUse.SIGNATURE)
                .keyIDFromThumbprint(true)
                .generate();
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(pgdata)
                .setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "localhost")
                .setRegisterShutdownHook(false)
                .start()) {
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("create database warden");
                statement.execute("create role warden_app login");
                statement.execute("grant connect on database warden to warden_app");
            }
            try (Connection connection = DriverManager.getConnection(
                            "jdbc:postgresql://localhost:" + postgres.getPort() + "/warden", "postgres", null);
                    Statement statement = connection.createStatement()) {
                statement.execute("create schema earlier");
                statement.execute("create table earlier.notes (id int primary key, note text not null)");
                statement.execute("insert into earlier.notes values (1, 'first'), (2, 'second')");
            }
            // that release's schema, migrated as it did (by the superuser, granting to the application role)
            String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/warden";
            Flyway.configure()
                    .dataSource(url, "postgres", null)
                    .locations("classpath:db/migration")
                    .placeholders(Map.of("appRole", "warden_app"))
                    .target("16.01")
                    .load()
                    .migrate();
            try (Connection connection = DriverManager.getConnection(url, "warden_app", null);
                    var insertKey = connection.prepareStatement(
                            "insert into idp_signing_key (kid, jwk, active, created_at) values (?, ?, true, now())");
                    var insertToken = connection.prepareStatement("""
                            insert into oauth2_authorization (id, registered_client_id, principal_name, authorization_grant_type,
                                access_token_value, access_token_issued_at, access_token_expires_at)
                            values ('earlier-1', 'earlier-client', 'earlier-client', 'client_credentials', ?, now(),
                                now() + interval '1 day')""")) {
                // as that release's provider wrote them, over the application role's password-less connection
                insertKey.setString(1, key.getKeyID());
                insertKey.setString(2, key.toJSONString());
                insertKey.executeUpdate();
                insertToken.setString(1, EARLIER_TOKEN);
                insertToken.executeUpdate();
            }
            assertThat(trustLines(pgdata))
                    .as("the folder really is a trust folder")
                    .isNotEmpty();
        }
        return key;
    }

    private static final String EARLIER_TOKEN = "eyJraWQiOiJlYXJsaWVyIn0.eyJzdWIiOiJlYXJsaWVyLWNsaWVudCJ9.c2lnbmF0dXJl";

    private static void assertRefused(int pgPort, String user, @Nullable String password) {
        assertThatThrownBy(() -> connect(pgPort, user, password).close())
                .as("%s with %s", user, password == null ? "no password" : "a wrong password")
                .isInstanceOf(SQLException.class)
                .satisfies(e -> {
                    String state = ((SQLException) e).getSQLState();
                    if (password == null) {
                        // the server asked for SCRAM, and the driver had nothing to answer with
                        assertThat(e.getMessage()).contains("SCRAM");
                    } else {
                        assertThat(state).as("invalid_password").isEqualTo("28P01");
                    }
                });
    }

    private static void assertConnects(int pgPort, String user, String password) throws SQLException {
        try (Connection connection = connect(pgPort, user, password)) {
            assertThat(connection.isValid(5)).isTrue();
        }
    }

    private static Connection connect(int pgPort, String user, @Nullable String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        if (password != null) {
            properties.setProperty("password", password);
        }
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + pgPort + "/warden", properties);
    }

    private static Properties passwords(Path pgdata) throws Exception {
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(pgdata.resolve("warden-passwords.properties"))));
        assertThat(properties.getProperty("superuser")).hasSizeGreaterThanOrEqualTo(40);
        assertThat(properties.getProperty("application"))
                .hasSizeGreaterThanOrEqualTo(40)
                .isNotEqualTo(properties.getProperty("superuser"));
        return properties;
    }

    private static List<String> trustLines(Path pgdata) throws Exception {
        return Files.readAllLines(pgdata.resolve("pg_hba.conf")).stream()
                .map(line -> line.replaceFirst("#.*", "").trim())
                .filter(line -> List.of(line.split("\\s+")).contains("trust"))
                .toList();
    }

    private static int embeddedPort(ConfigurableApplicationContext warden) throws SQLException {
        String url =
                warden.getBean(DataSource.class).unwrap(HikariDataSource.class).getJdbcUrl();
        return URI.create(url.substring("jdbc:".length())).getPort();
    }

    private static ConfigurableApplicationContext start(Path data, int port) {
        return new SpringApplicationBuilder(WardenApplication.class)
                .run(
                        "--server.port=" + port,
                        "--warden.identity.issuer=http://localhost:" + port,
                        "--warden.data-dir=" + data,
                        "--warden.demo.enabled=true");
    }
}
