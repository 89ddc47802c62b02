package io.warden.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The registry's V14_30 migration applied over rows written before it, in a database of its own: what
 * existing agents keep (purposes their scopes allow, PHI access compliance approved) and what they lose.
 */
class RegistryMigrationTests {

    static final String LOCATION = "classpath:db/migration/registry";
    static final String ADMIN = "ada", CARLA = "carla", OTTO = "otto";
    static final UUID APPROVED_BY_COMPLIANCE = UUID.randomUUID(),
            RECLASSIFIED_LATER = UUID.randomUUID(),
            WAITING = UUID.randomUUID(),
            APPROVED_NOT_ACTIVE = UUID.randomUUID();

    static JdbcClient jdbc;

    @BeforeAll
    static void migrateOverExistingRows() throws SQLException {
        String database = "registry_migration_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection =
                RegistryTestApplication.postgres().getPostgresDatabase().getConnection()) {
            connection.createStatement().execute("create database " + database);
        }
        DataSource dataSource = RegistryTestApplication.postgres().getDatabase("postgres", database);
        jdbc = JdbcClient.create(dataSource);
        Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .target("7.01")
                .load()
                .migrate();

        jdbc.sql("""
                insert into directory_user (id, user_principal_name, display_name, updated_at) values
                ('ada', 'ada@x', 'Ada', now()), ('carla', 'carla@x', 'Carla', now()), ('otto', 'otto@x', 'Otto', now())""").update();
        jdbc.sql("""
                insert into data_scope (key, display_name, sensitivity, phi, deidentified, allowed_purposes, created_at, updated_at, version) values
                ('ct-deid', 'CT', 'INTERNAL', false, true, '{TREAT,HRESCH}', now(), now(), 1),
                ('derm-phi', 'Derm', 'HIGHLY_CONFIDENTIAL', true, false, '{TREAT}', now(), now(), 1),
                ('notes', 'Notes', 'INTERNAL', true, false, '{HOPERAT}', now(), now(), 2)""").update();
        // an active agent whose PHI scope compliance approved at registration
        agent(APPROVED_BY_COMPLIANCE, "ACTIVE", "{derm-phi,ct-deid}", "{derm-phi,ct-deid}");
        approval(APPROVED_BY_COMPLIANCE, "REGISTRATION", "APPROVED", "{derm-phi,ct-deid}", true, OTTO, CARLA);
        // an active agent granted 'notes' while it was not PHI, by an admin; 'notes' was reclassified since
        agent(RECLASSIFIED_LATER, "ACTIVE", "{ct-deid,notes}", "{ct-deid}");
        approval(RECLASSIFIED_LATER, "REGISTRATION", "APPROVED", "{ct-deid}", false, OTTO, ADMIN);
        approval(RECLASSIFIED_LATER, "CHANGE", "APPROVED", "{notes}", false, OTTO, ADMIN);
        // a registration still waiting
        agent(WAITING, "PENDING_APPROVAL", "{}", "{ct-deid}");
        approval(WAITING, "REGISTRATION", "PENDING", "{ct-deid}", false, OTTO, null);
        // a registration compliance approved, waiting for onboarding to activate it
        agent(APPROVED_NOT_ACTIVE, "PENDING_APPROVAL", "{}", "{derm-phi}");
        approval(APPROVED_NOT_ACTIVE, "REGISTRATION", "APPROVED", "{derm-phi}", true, OTTO, CARLA);

        Flyway.configure().dataSource(dataSource).locations(LOCATION).load().migrate();
    }

    @Test
    void existingAgentsAreGrantedThePurposesTheirScopesAllow() {
        assertThat(strings("select purposes_of_use from agent where id = :id", APPROVED_BY_COMPLIANCE))
                .containsExactly("HRESCH", "TREAT");
        assertThat(strings("select purposes_of_use from agent where id = :id", RECLASSIFIED_LATER))
                .containsExactly("HOPERAT", "HRESCH", "TREAT");
        assertThat(strings("select requested_purposes from agent where id = :id", WAITING))
                .containsExactly("HRESCH", "TREAT");
        assertThat(strings("select purposes_of_use from agent where id = :id", WAITING))
                .isEmpty();
    }

    @Test
    void whatStillWaitsGrantsThePurposesItsScopesAllowAndRemembersTheOwner() {
        assertThat(strings("select add_purposes from approval where agent_id = :id", WAITING))
                .containsExactly("HRESCH", "TREAT");
        assertThat(strings("select owners_since_request from approval where agent_id = :id", WAITING))
                .containsExactly(OTTO);
        assertThat(strings("select add_purposes from approval where agent_id = :id", APPROVED_NOT_ACTIVE))
                .containsExactly("TREAT");
        assertThat(strings(
                        "select add_purposes from approval where agent_id = :id and kind = 'REGISTRATION'",
                        APPROVED_BY_COMPLIANCE))
                .as("decided and applied: history is left as it was")
                .isEmpty();
    }

    @Test
    void phiGrantsComplianceApprovedAreCarriedOverAndNoOthers() {
        assertThat(phiApprovals(APPROVED_BY_COMPLIANCE)).containsExactly("derm-phi/" + CARLA);
        assertThat(phiApprovals(APPROVED_NOT_ACTIVE)).containsExactly("derm-phi/" + CARLA);
        assertThat(phiApprovals(RECLASSIFIED_LATER))
                .as("an admin approved 'notes' before it was PHI")
                .isEmpty();
        assertThat(phiApprovals(WAITING)).isEmpty();
    }

    @Test
    void dataScopesRequireNoDeidentificationUntilAnAdminSaysSo() {
        assertThat(jdbc.sql("select count(*) from data_scope where cardinality(deidentify_for) > 0")
                        .query(Long.class)
                        .single())
                .isZero();
    }

    private static void agent(UUID id, String status, String granted, String requested) {
        jdbc.sql("""
                insert into agent (id, name, kind, purpose, status, owner_id, risk_tier, requested_scopes, requested_tools,
                    data_scopes, tools, created_by, created_at, updated_at, version)
                values (:id, :name, 'RETRIEVAL', 'p', :status, 'otto', 'HIGH', cast(:requested as text[]), '{}',
                    cast(:granted as text[]), '{}', 'otto', now() - interval '10 days', now(), 1)""")
                .param("id", id)
                .param("name", "agent " + id)
                .param("status", status)
                .param("requested", requested)
                .param("granted", granted)
                .update();
    }

    private static void approval(
            UUID agent,
            String kind,
            String status,
            String addScopes,
            boolean requiresCompliance,
            String requestedBy,
            @Nullable String decidedBy) {
        jdbc.sql("""
                insert into approval (id, agent_id, kind, status, add_scopes, remove_scopes, add_tools, remove_tools,
                    justification, requires_compliance, requested_by, requested_at, decided_by, decided_at, version)
                values (:id, :agent, :kind, :status, cast(:add as text[]), '{}', '{}', '{}', 'j', :compliance, :requestedBy,
                    now() - interval '5 days', cast(:decidedBy as text),
                    case when cast(:decidedBy as text) is null then null else now() - interval '4 days' end, 1)""")
                .param("id", UUID.randomUUID())
                .param("agent", agent)
                .param("kind", kind)
                .param("status", status)
                .param("add", addScopes)
                .param("compliance", requiresCompliance)
                .param("requestedBy", requestedBy)
                .param("decidedBy", decidedBy)
                .update();
    }

    private static List<String> strings(String sql, UUID id) {
        return jdbc.sql(sql)
                .param("id", id)
                .query((rs, row) -> {
                    Array array = rs.getArray(1);
                    return Arrays.asList((String[]) array.getArray());
                })
                .single();
    }

    private static List<String> phiApprovals(UUID agent) {
        return jdbc.sql(
                        "select scope_key || '/' || approved_by from agent_phi_approval where agent_id = :id order by scope_key")
                .param("id", agent)
                .query((row, n) -> row.getString(1))
                .list();
    }
}
