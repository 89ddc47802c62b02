package io.warden.lifecycle.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.operaton.bpm.engine.ProcessEngine;
import org.operaton.bpm.engine.ProcessEngineException;
import org.operaton.bpm.engine.impl.cfg.StandaloneProcessEngineConfiguration;
import org.operaton.bpm.engine.impl.persistence.StrongUuidGenerator;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The frozen {@code V6_00} against the two schemas it must equal: the one the engine on the classpath creates
 * for itself from its own scripts (so an engine upgrade that changes its schema fails here, not in production),
 * and the one the Java migration it replaces created (so databases that applied that one hold what a new
 * database gets). Each comparison is on a real PostgreSQL, one database per schema.
 */
class WorkflowEngineSchemaTests {

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

    static DataSource database(String name) {
        JdbcClient.create(postgres.getPostgresDatabase())
                .sql("create database " + name)
                .update();
        return postgres.getDatabase("postgres", name);
    }

    static DataSource migrated(String name) {
        DataSource database = database(name);
        Flyway.configure()
                .dataSource(database)
                .locations("classpath:db/migration/lifecycle")
                .load()
                .migrate();
        return database;
    }

    /** The embedded engine's settings (EmbeddedWorkflowEngine.start) with the given schema handling. */
    static StandaloneProcessEngineConfiguration engine(DataSource database, String schemaUpdate) {
        StandaloneProcessEngineConfiguration configuration = new StandaloneProcessEngineConfiguration();
        configuration.setProcessEngineName("schema-" + UUID.randomUUID());
        configuration.setDataSource(database);
        configuration.setDatabaseType("postgres");
        configuration.setDatabaseSchemaUpdate(schemaUpdate);
        configuration.setHistory("audit");
        configuration.setMetricsEnabled(false);
        configuration.setIdGenerator(new StrongUuidGenerator());
        configuration.setJobExecutorActivate(false);
        return configuration;
    }

    @Test
    void theMigrationsCreateTheSchemaTheEngineCreatesForItself() {
        DataSource migrated = migrated("migrated");
        DataSource engineOwn = database("engine_own");
        ProcessEngine engine = engine(engineOwn, "true").buildProcessEngine(); // the engine runs its own create scripts
        engine.close();

        EngineSchemaCatalog expected = EngineSchemaCatalog.of(engineOwn);
        EngineSchemaCatalog actual = EngineSchemaCatalog.of(migrated);
        assertThat(expected.tables()).as("the engine created its tables").isGreaterThan(40);
        String why = "the schema the engine on the classpath expects; if its version changed, add a migration with its "
                + "upgrade script (V6_00 is frozen)";
        assertThat(actual.relations()).as(why).containsExactlyElementsOf(expected.relations());
        assertThat(actual.columns()).as(why).containsExactlyElementsOf(expected.columns());
        assertThat(actual.indexes()).as(why).containsExactlyElementsOf(expected.indexes());
        assertThat(actual.constraints()).as(why).containsExactlyElementsOf(expected.constraints());
        String schemaVersion = "select version_ from act_ge_schema_log order by id_";
        assertThat(JdbcClient.create(migrated)
                        .sql(schemaVersion)
                        .query(String.class)
                        .list())
                .as(why)
                .isEqualTo(JdbcClient.create(engineOwn)
                        .sql(schemaVersion)
                        .query(String.class)
                        .list());
    }

    @Test
    void theEngineValidatesTheMigratedSchemaAndRefusesAnEmptyOne() {
        ProcessEngine engine = engine(migrated("validated"), "false").buildProcessEngine();
        engine.close();

        DataSource empty = database("empty");
        assertThatThrownBy(() -> engine(empty, "false").buildProcessEngine())
                .as("the check that the migrated schema passed")
                .isInstanceOf(ProcessEngineException.class);
    }

    @Test
    void theFrozenFileCreatesWhatTheEarlierJavaMigrationCreated() {
        DataSource earlier = database("earlier");
        EarlierWorkflowEngineSchema.migrate(earlier, work.resolve("earlier"));
        DataSource frozen = migrated("frozen");

        EngineSchemaCatalog expected = EngineSchemaCatalog.of(earlier);
        EngineSchemaCatalog actual = EngineSchemaCatalog.of(frozen);
        assertThat(expected.tables())
                .as("the earlier migration created the engine's tables")
                .isGreaterThan(40);
        assertThat(actual.relations()).containsExactlyElementsOf(expected.relations());
        assertThat(actual.columns()).containsExactlyElementsOf(expected.columns());
        assertThat(actual.indexes()).containsExactlyElementsOf(expected.indexes());
        assertThat(actual.constraints()).containsExactlyElementsOf(expected.constraints());
        assertThat(EngineSchemaCatalog.scriptRows(frozen))
                .as("the rows the scripts insert")
                .hasSizeGreaterThan(7)
                .containsExactlyElementsOf(EngineSchemaCatalog.scriptRows(earlier));
    }

    @Test
    void theCallbackWritesTheChecksumFlywayComputesForTheFrozenFile() {
        DataSource database = migrated("checksum");
        MigrationInfo v6 = Flyway.configure()
                .dataSource(database)
                .locations("classpath:db/migration/lifecycle")
                .load()
                .info()
                .all()[0];
        assertThat(v6.getVersion()).isEqualTo(MigrationVersion.fromVersion(FrozenEngineSchemaCallback.VERSION));
        assertThat(v6.getScript()).isEqualTo(FrozenEngineSchemaCallback.SQL_SCRIPT);
        assertThat(v6.getResolvedChecksum()).isEqualTo(FrozenEngineSchemaCallback.SQL_CHECKSUM);
    }
}
