package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.ValidateResult;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The cohort runs' migrations moved from {@code db/migration/app} to {@code db/migration/cohort} with their module
 * (ADR 0009): a database migrated while they lay in app's folder still validates, and none of them runs again. The
 * earlier folder is rebuilt from copies of the two files as they were released; everything else is today's.
 */
class MovedMigrationsTests extends IntegrationTest {

    /**
     * Where each module's migrations lay before the move: every folder but cohort's, and the released copies, found as
     * Warden found them then, in {@code app/} under a {@code db/migration} location (the history keeps that path).
     */
    static final List<String> BEFORE_THE_MOVE = List.of(
            "classpath:db/migration/audit",
            "classpath:db/migration/registry",
            "classpath:db/migration/lifecycle",
            "classpath:db/migration/policy",
            "classpath:db/migration/app",
            // a module added since, whose migrations never moved: applied on both sides so only the moved ones differ
            "classpath:db/migration/collections",
            "classpath:migrations-before-the-cohort-module/db/migration");

    /** The schema owner's, as Flyway migrates. */
    @Autowired
    @FlywayDataSource
    DataSource owner;

    @Test
    void aDatabaseMigratedBeforeTheMoveValidatesAndRunsNoneOfTheMovedMigrationsAgain() {
        String schema = "moved_" + Long.toHexString(System.nanoTime());
        try {
            flyway(schema, BEFORE_THE_MOVE.toArray(String[]::new)).migrate();
            JdbcClient at = JdbcClient.create(owner);
            assertThat(at.sql(
                                    "select script from " + schema
                                            + ".flyway_schema_history where version in ('9.01', '15.02') order by installed_rank")
                            .query(String.class)
                            .list())
                    .as("the history names the files where they lay before the move")
                    .containsExactly("app/V9_01__cohort_runs.sql", "app/V15_02__cohort_owners.sql");

            Flyway today = flyway(schema, "classpath:db/migration");
            ValidateResult validation = today.validateWithResult();
            assertThat(validation.validationSuccessful)
                    .as(validation.getAllErrorMessages())
                    .isTrue();
            for (String version : List.of("9.01", "15.02")) {
                MigrationInfo moved = Arrays.stream(today.info().all())
                        .filter(info -> info.getVersion() != null
                                && info.getVersion().getVersion().equals(version))
                        .findFirst()
                        .orElseThrow();
                assertThat(moved.getState()).as(version).isEqualTo(MigrationState.SUCCESS);
            }
            MigrateResult again = today.migrate();
            assertThat(again.migrations)
                    .extracting(migration -> migration.version)
                    .doesNotContain("9.01", "15.02");
        } finally {
            JdbcClient.create(owner).sql("drop schema " + schema + " cascade").update();
        }
    }

    private Flyway flyway(String schema, String... locations) {
        // the schema owner as the application role, as in CohortUpgradeTests: the grants then change nothing on the
        // running instance's own tables
        return Flyway.configure()
                .dataSource(owner)
                .schemas(schema)
                .placeholders(Map.of("appRole", ownerRole()))
                .locations(locations)
                .load();
    }

    private String ownerRole() {
        try (var connection = owner.getConnection()) {
            return connection.getMetaData().getUserName();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
