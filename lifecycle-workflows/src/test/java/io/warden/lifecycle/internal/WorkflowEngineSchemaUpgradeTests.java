package io.warden.lifecycle.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.bpmn.BpmnProcesses;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.output.MigrateResult;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Databases made by releases whose {@code V6_00} was the Java class, upgraded to the frozen SQL file: Flyway
 * refuses them as they are, and with {@link FrozenEngineSchemaCallback} (as the application's Flyway has it)
 * it accepts them after re-typing that one row, without running or re-creating anything, and the engine
 * carries on with the deployments and instances it had.
 */
class WorkflowEngineSchemaUpgradeTests {

    static EmbeddedPostgres postgres;

    @TempDir
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    static DataSource earlierDatabase(String name) {
        JdbcClient.create(postgres.getPostgresDatabase())
                .sql("create database " + name)
                .update();
        DataSource database = postgres.getDatabase("postgres", name);
        EarlierWorkflowEngineSchema.migrate(database, work.resolve(name));
        return database;
    }

    static Flyway flyway(DataSource database) {
        return Flyway.configure()
                .dataSource(database)
                .locations("classpath:db/migration/lifecycle")
                .callbacks(new FrozenEngineSchemaCallback())
                .load();
    }

    static Map<String, @Nullable Object> v6(DataSource database) {
        return JdbcClient.create(database)
                .sql("select installed_rank, type, script, checksum, description, installed_on, success"
                        + " from flyway_schema_history where version = '6.00'")
                .query()
                .singleRow();
    }

    static EmbeddedWorkflowEngine engine(DataSource database) {
        return new EmbeddedWorkflowEngine(
                database,
                new JobDispatcher(new RecordingAuditLog(), Duration.ofMillis(100)),
                Clock.systemUTC(),
                Duration.ofMillis(100),
                Duration.ofMinutes(1),
                Duration.ofHours(1),
                3);
    }

    /** The engine's tables by name, with their object ids: a table dropped and created again gets a new one. */
    static Map<String, Object> engineTables(DataSource database) {
        Map<String, Object> tables = new TreeMap<>();
        JdbcClient.create(database)
                .sql("select relname, oid::bigint from pg_class where relkind = 'r' and relname like 'act\\_%'")
                .query((row, i) -> tables.put(row.getString(1), row.getLong(2)))
                .list();
        return tables;
    }

    @Test
    void aDatabaseOfTheEarlierReleaseHasItsRowReTypedAndKeepsItsTablesAndData() {
        DataSource database = earlierDatabase("upgraded");
        Map<String, @Nullable Object> before = v6(database);
        assertThat(before)
                .containsEntry("type", "JDBC")
                .containsEntry("script", FrozenEngineSchemaCallback.JAVA_SCRIPT)
                .containsEntry("checksum", null);
        EmbeddedWorkflowEngine earlier = engine(database);
        earlier.start();
        earlier.deploy(BpmnProcesses.ALL.stream().map(BpmnProcesses::resource).toList());
        assertThat(earlier.start(BpmnProcesses.ONBOARDING, "agent-kept", Map.of()))
                .isTrue(); // waits at its first task
        earlier.stop();
        Map<String, Object> tables = engineTables(database);
        assertThat(tables).hasSizeGreaterThan(40);

        MigrateResult result = flyway(database).migrate(); // validates first, as the application's start does

        assertThat(result.migrationsExecuted).as("nothing ran again").isZero();
        assertThat(v6(database))
                .containsEntry("type", "SQL")
                .containsEntry("script", FrozenEngineSchemaCallback.SQL_SCRIPT)
                .containsEntry("checksum", FrozenEngineSchemaCallback.SQL_CHECKSUM)
                .containsEntry("installed_rank", before.get("installed_rank"))
                .containsEntry("installed_on", before.get("installed_on"))
                .containsEntry("description", before.get("description"));
        assertThat(engineTables(database)).as("no table created again").isEqualTo(tables);
        flyway(database).validate(); // and again: the re-typed row no longer matches, nothing changes
        assertThat(v6(database))
                .containsEntry("type", "SQL")
                .containsEntry("checksum", FrozenEngineSchemaCallback.SQL_CHECKSUM);

        EmbeddedWorkflowEngine upgraded = engine(database);
        upgraded.start(); // validates the schema (databaseSchemaUpdate=false)
        try {
            upgraded.deploy(
                    BpmnProcesses.ALL.stream().map(BpmnProcesses::resource).toList());
            assertThat(upgraded.engine()
                            .getRepositoryService()
                            .createProcessDefinitionQuery()
                            .latestVersion()
                            .list())
                    .as("the earlier deployments, not deployed again")
                    .hasSize(BpmnProcesses.ALL.size())
                    .allSatisfy(d -> assertThat(d.getVersion()).isEqualTo(1));
            assertThat(upgraded.running(BpmnProcesses.ONBOARDING, "agent-kept"))
                    .as("the instance started before")
                    .isTrue();
        } finally {
            upgraded.stop();
        }
    }

    @Test
    void withoutTheCallbackFlywayRefusesTheEarlierDatabase() {
        DataSource database = earlierDatabase("refused");
        Flyway plain = Flyway.configure()
                .dataSource(database)
                .locations("classpath:db/migration/lifecycle")
                .load();

        assertThatThrownBy(plain::validate)
                .isInstanceOf(FlywayValidateException.class)
                .hasMessageContaining("6.00");
        assertThatThrownBy(plain::migrate).isInstanceOf(FlywayValidateException.class);
        assertThat(v6(database)).containsEntry("type", "JDBC");
    }

    @Test
    void aRowThatIsNotExactlyTheEarlierJavaMigrationIsLeftForFlywayToRefuse() {
        DataSource database = earlierDatabase("other");
        JdbcClient.create(database)
                .sql("update flyway_schema_history set script = 'db.migration.lifecycle.V6_00__Something_else'"
                        + " where version = '6.00'")
                .update();

        assertThatThrownBy(flyway(database)::migrate)
                .isInstanceOf(FlywayValidateException.class)
                .hasMessageContaining("6.00");
        assertThat(v6(database)).containsEntry("type", "JDBC").containsEntry("checksum", null);
    }

    @Test
    void theHistoryIsFoundInTheSchemaFlywayIsToldToUse() {
        JdbcClient.create(postgres.getPostgresDatabase())
                .sql("create database elsewhere")
                .update();
        DataSource database = postgres.getDatabase("postgres", "elsewhere");
        EarlierWorkflowEngineSchema.migrate(database, work.resolve("elsewhere"), "lifecycle");

        Flyway.configure()
                .dataSource(database)
                .schemas("lifecycle")
                .locations("classpath:db/migration/lifecycle")
                .callbacks(new FrozenEngineSchemaCallback())
                .load()
                .migrate();

        assertThat(JdbcClient.create(database)
                        .sql("select type from lifecycle.flyway_schema_history where version = '6.00'")
                        .query(String.class)
                        .single())
                .isEqualTo("SQL");
    }

    @Test
    void aNewDatabaseGetsTheFileAndTheCallbackFindsNothingToDo() {
        JdbcClient.create(postgres.getPostgresDatabase())
                .sql("create database fresh")
                .update();
        DataSource database = postgres.getDatabase("postgres", "fresh");

        flyway(database).migrate();

        assertThat(v6(database))
                .containsEntry("type", "SQL")
                .containsEntry("script", FrozenEngineSchemaCallback.SQL_SCRIPT)
                .containsEntry("checksum", FrozenEngineSchemaCallback.SQL_CHECKSUM);
        assertThat(flyway(database).info().pending()).isEmpty();
    }
}
