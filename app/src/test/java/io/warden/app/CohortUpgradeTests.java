package io.warden.app;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.boot.flyway.autoconfigure.FlywayDataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Cohorts and archive roots made before data sources and owners: the schema as it stood at V14_40 with runs as the
 * cohort builder wrote them then, migrated, gives each cohort the builder of its published run; and at start the
 * archive root earlier runs read is registered as a data source bound to their scope when they used one, or the start
 * is refused with a message saying what to declare.
 */
class CohortUpgradeTests extends IntegrationTest {

    static final Path LEGACY_ROOT = DATA.resolve("legacy-archives");
    static final String A = "00000000-0000-4000-8000-00000000000a";
    static final String B = "00000000-0000-4000-8000-00000000000b";

    @Autowired
    DataSource dataSource;

    /** The schema owner's, as Flyway migrates. */
    @Autowired
    @FlywayDataSource
    DataSource owner;

    @Autowired
    JdbcClient jdbc;

    /** The upgrade as the application runs it at start, so that each call here is what a restart would do. */
    @Autowired
    @Qualifier("cohortSourceUpgradeAtStart")
    ApplicationRunner upgradeAtStart;

    @Test
    void earlierCohortsBecomeOwnedByTheBuilderOfTheirPublishedRunAndKeepTheirCollections() {
        String schema = "upgrade_" + Long.toHexString(System.nanoTime());
        // the schema owner as the application role: the migrations' grants then change nothing, for they would also
        // re-grant the application role rights on the running instance's own tables (V3_00 grants in schema public)
        Map<String, String> placeholders = Map.of("appRole", ownerRole());
        Flyway.configure()
                .dataSource(owner)
                .schemas(schema)
                .placeholders(placeholders)
                .locations("classpath:db/migration")
                .target("14.40")
                .load()
                .migrate();
        try {
            JdbcClient at = JdbcClient.create(owner);
            // as V9_01 shaped them: B's run of "chest" was published over A's (the takeover), "brain" failed for A
            insertRun(at, schema + ".cohort_run", "r1", "chest", A, "REPLACED", "cohort-chest", "2025-01-01T00:00:00Z");
            insertRun(
                    at, schema + ".cohort_run", "r2", "chest", B, "PUBLISHED", "cohort-chest", "2025-02-01T00:00:00Z");
            insertRun(at, schema + ".cohort_run", "r3", "brain", A, "FAILED", "cohort-brain", "2025-03-01T00:00:00Z");
            assertThat(at.sql(
                                    "select count(*) from information_schema.tables where table_schema = ? and table_name = 'cohort'")
                            .param(schema)
                            .query(Integer.class)
                            .single())
                    .as("no owners before the upgrade")
                    .isZero();

            Flyway.configure()
                    .dataSource(owner)
                    .schemas(schema)
                    .placeholders(placeholders)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();

            List<Map<String, @Nullable Object>> cohorts = at.sql("select collection, name, agent_id, created_at from "
                            + schema + ".cohort order by collection")
                    .query()
                    .listOfRows();
            assertThat(cohorts).hasSize(2);
            assertThat(cohorts.get(0))
                    .containsEntry("collection", "cohort-brain")
                    .containsEntry("name", "brain")
                    .containsEntry("agent_id", A);
            assertThat(cohorts.get(1))
                    .containsEntry("collection", "cohort-chest")
                    .containsEntry("name", "chest")
                    .containsEntry("agent_id", B);
            assertThat(((Timestamp) requireNonNull(cohorts.get(1).get("created_at"))).toInstant())
                    .isEqualTo(Instant.parse("2025-01-01T00:00:00Z"));
            assertThat(at.sql("select count(*) from " + schema + ".cohort_run where source_key is null")
                            .query(Integer.class)
                            .single())
                    .as("earlier runs read no registered source")
                    .isEqualTo(3);
            assertThat(at.sql("select count(*) from " + schema + ".data_source")
                            .query(Integer.class)
                            .single())
                    .isZero();
        } finally {
            JdbcClient.create(owner).sql("drop schema " + schema + " cascade").update();
        }
    }

    @Test
    void eachFolderEarlierRunsReadIsRegisteredWithTheirScopeNeverTheRootOrTheStartSaysWhatToDeclare() throws Exception {
        Path a = Files.createDirectories(LEGACY_ROOT.resolve("team-a")).toRealPath();
        Path c = Files.createDirectories(LEGACY_ROOT.resolve("team-c")).toRealPath();
        String root = LEGACY_ROOT.toRealPath().toString();
        insertRun(
                jdbc,
                "cohort_run",
                "legacy-a",
                "legacy-a",
                A,
                "PUBLISHED",
                "cohort-legacy-a",
                "2020-01-01T00:00:00Z",
                a,
                "imaging-ct-deid");
        insertRun(
                jdbc,
                "cohort_run",
                "legacy-c",
                "legacy-c",
                B,
                "PUBLISHED",
                "cohort-legacy-c",
                "2020-01-02T00:00:00Z",
                c,
                "dermatology-phi");
        insertRun(
                jdbc,
                "cohort_run",
                "legacy-x",
                "legacy-x",
                B,
                "PUBLISHED",
                "cohort-legacy-x",
                "2020-01-03T00:00:00Z",
                a,
                "dermatology-phi");
        try {
            assertThatThrownBy(this::upgrade)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(a + " under several data scopes [dermatology-phi, imaging-ct-deid]")
                    .hasMessageContaining("warden.cohort.sources.<key>.location=")
                    .hasMessageContaining("warden.cohort.sources.<key>.scope=");
            assertThat(sourceAt(a.toString()))
                    .as("nothing registered for a folder read under several scopes")
                    .isNull();

            jdbc.sql("delete from cohort_run where id = 'legacy-x'").update();
            upgrade();
            JsonNode teamA = sourceAt(a.toString());
            JsonNode teamC = sourceAt(c.toString());
            assertThat(teamA).isNotNull();
            assertThat(teamC).isNotNull();
            assertThat(teamA.get("scopeKey").asString()).isEqualTo("imaging-ct-deid");
            assertThat(teamC.get("scopeKey").asString()).isEqualTo("dermatology-phi");
            assertThat(teamA.get("kind").asString()).isEqualTo("FOLDER");
            assertThat(sourceAt(root))
                    .as("the archive root is never bound to one scope as a whole")
                    .isNull();
            assertThat(jdbc.sql("select source_key from cohort_run where id = 'legacy-a'")
                            .query(String.class)
                            .single())
                    .isEqualTo(teamA.get("key").asString());
            assertThat(jdbc.sql("select source_key from cohort_run where id = 'legacy-c'")
                            .query(String.class)
                            .single())
                    .isEqualTo(teamC.get("key").asString());
            int sources = client.get("/api/v1/data-sources", admin()).json().size();
            upgrade();
            assertThat(client.get("/api/v1/data-sources", admin()).json().size())
                    .as("a second start registers nothing")
                    .isEqualTo(sources);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(client.get(
                                            "/api/v1/audit/events?action=data_source.registered&limit=50", compliance())
                                    .json()
                                    .get("items")
                                    .toString())
                            .contains(teamA.get("key").asString(), "warden"));
        } finally {
            jdbc.sql("delete from cohort_run where id in ('legacy-a', 'legacy-c', 'legacy-x')")
                    .update();
        }
    }

    private String ownerRole() {
        try (var connection = owner.getConnection()) {
            return connection.getMetaData().getUserName();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static @Nullable JsonNode sourceAt(String location) {
        for (JsonNode source : client.get("/api/v1/data-sources", admin()).json()) {
            if (source.get("location").asString().equals(location)) {
                return source;
            }
        }
        return null;
    }

    private void upgrade() throws Exception {
        upgradeAtStart.run(new DefaultApplicationArguments());
    }

    private static void insertRun(
            JdbcClient at,
            String table,
            String id,
            String cohort,
            String agent,
            String status,
            String collection,
            String started) {
        insertRun(
                at, table, id, cohort, agent, status, collection, started, DATA.resolve("archives"), "imaging-ct-deid");
    }

    private static void insertRun(
            JdbcClient at,
            String table,
            String id,
            String cohort,
            String agent,
            String status,
            String collection,
            String started,
            Path folder,
            String dataset) {
        at.sql("insert into " + table + """
                 (id, cohort, agent_id, dataset, source_kind, source, collection, status, requested_by, started_at)
                values (?, ?, ?, ?, 'FOLDER', ?, ?, ?, 'otto', ?)""")
                .params(
                        id,
                        cohort,
                        agent,
                        dataset,
                        folder.toString(),
                        collection,
                        status,
                        Timestamp.from(Instant.parse(started)))
                .update();
    }
}
