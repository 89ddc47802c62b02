package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The application's Flyway, configured as Spring configured it (callbacks included), accepts a database whose
 * {@code V6_00} is the Java migration releases before issue 17 applied. The row is set as that class wrote it;
 * lifecycle-workflows' {@code WorkflowEngineSchemaUpgradeTests} builds a database with the released class itself
 * and shows that this is its row. Without the callback the application would not start on such a database.
 */
class EngineSchemaUpgradeTests extends IntegrationTest {

    @Autowired
    Flyway flyway;

    /** The schema owner's, as Flyway migrates. */
    @Autowired
    @FlywayDataSource
    DataSource owner;

    @Test
    void theApplicationsFlywayReTypesTheRowTheJavaMigrationWrote() {
        String schema = "engine_upgrade_" + Long.toHexString(System.nanoTime());
        // the schema owner as the application role: the migrations' grants then leave the running instance's alone
        Map<String, String> placeholders = Map.of("appRole", ownerRole());
        JdbcClient jdbc = JdbcClient.create(owner);
        try {
            Flyway.configure()
                    .configuration(flyway.getConfiguration())
                    .schemas(schema)
                    .placeholders(placeholders)
                    .load()
                    .migrate();
            String history = schema + ".flyway_schema_history";
            jdbc.sql("update " + history
                            + " set type = 'JDBC', script = 'db.migration.lifecycle.V6_00__Workflow_engine_schema',"
                            + " checksum = null where version = '6.00'")
                    .update();
            Flyway plain = Flyway.configure()
                    .dataSource(owner)
                    .schemas(schema)
                    .placeholders(placeholders)
                    .locations("classpath:db/migration")
                    .load();
            assertThatThrownBy(plain::validate)
                    .as("what a start without the callback meets")
                    .isInstanceOf(FlywayValidateException.class);

            Flyway.configure()
                    .configuration(flyway.getConfiguration())
                    .schemas(schema)
                    .placeholders(placeholders)
                    .load()
                    .migrate();

            assertThat(jdbc.sql("select type, script from " + history + " where version = '6.00'")
                            .query()
                            .singleRow())
                    .containsEntry("type", "SQL")
                    .containsEntry("script", "V6_00__Workflow_engine_schema.sql");
            assertThat(plain.validateWithResult().validationSuccessful)
                    .as("the checksum is the file's")
                    .isTrue();
        } finally {
            jdbc.sql("drop schema if exists " + schema + " cascade").update();
        }
    }

    private String ownerRole() {
        try (var connection = owner.getConnection()) {
            return connection.getMetaData().getUserName();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
