package io.warden.lifecycle.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.Configuration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a database that applied {@code V6_00} as the Java migration it was until issue 17 accept it as the SQL
 * file it is now. Flyway validates an applied migration's type and checksum against the one it resolves and
 * refuses a {@code JDBC} row for an {@code SQL} file; so before it validates (or migrates, when validation on
 * migrate is off) this callback re-types that one row to the file: type, script and checksum. The file creates
 * what the Java class created, because the engine has been at the version the file was generated from since
 * {@code V6_00} was written ({@code WorkflowEngineSchemaTests} compares the two).
 *
 * <p>Only a row exactly as the Java class wrote it is changed (version, type, class name, no checksum,
 * applied successfully); any other row, a failed one included, is left for Flyway's validation to refuse.
 * Idempotent: once re-typed the row no longer matches. Runs in Flyway's transaction on its connection.
 */
final class FrozenEngineSchemaCallback implements Callback {

    private static final Logger log = LoggerFactory.getLogger(FrozenEngineSchemaCallback.class);

    static final String VERSION = "6.00";
    /** What the schema history holds for the released Java migration: its class name is its script. */
    static final String JAVA_SCRIPT = "db.migration.lifecycle.V6_00__Workflow_engine_schema";

    static final String SQL_SCRIPT = "V6_00__Workflow_engine_schema.sql";
    /**
     * Flyway's checksum of the frozen file. A constant because the file never changes; a test compares it with
     * the checksum Flyway computes, and were it wrong Flyway's validation would still refuse the row.
     */
    static final int SQL_CHECKSUM = -760396537;

    @Override
    public boolean supports(Event event, @Nullable Context context) {
        return event == Event.BEFORE_VALIDATE || event == Event.BEFORE_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, @Nullable Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        Connection connection = context.getConnection();
        try {
            String table = historyTable(context.getConfiguration(), connection);
            if (!exists(connection, table)) {
                return; // a new database: nothing applied yet
            }
            try (PreparedStatement update = connection.prepareStatement("update " + table
                    + " set type = 'SQL', script = ?, checksum = ?"
                    + " where version = ? and type = 'JDBC' and script = ? and checksum is null and success")) {
                update.setString(1, SQL_SCRIPT);
                update.setInt(2, SQL_CHECKSUM);
                update.setString(3, VERSION);
                update.setString(4, JAVA_SCRIPT);
                if (update.executeUpdate() > 0) {
                    log.info(
                            "Re-typed migration {} in {} from the Java class {} to {} (checksum {}): the frozen file "
                                    + "creates the same workflow engine schema",
                            VERSION,
                            table,
                            JAVA_SCRIPT,
                            SQL_SCRIPT,
                            SQL_CHECKSUM);
                }
            }
        } catch (SQLException e) {
            throw new FlywayException("Could not re-type the applied migration " + VERSION + " to " + SQL_SCRIPT, e);
        }
    }

    @Override
    public String getCallbackName() {
        return "frozen-engine-schema";
    }

    /** The schema history's quoted name, in the schema Flyway keeps it in: the default schema, the first one, or the current. */
    private static String historyTable(Configuration configuration, Connection connection) throws SQLException {
        String schema = configuration.getDefaultSchema();
        if (schema == null && configuration.getSchemas().length > 0) {
            schema = configuration.getSchemas()[0];
        }
        if (schema == null) {
            schema = connection.getSchema();
        }
        return (schema == null ? "" : quote(schema) + ".") + quote(configuration.getTable());
    }

    private static boolean exists(Connection connection, String table) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select to_regclass(?) is not null")) {
            query.setString(1, table);
            try (ResultSet result = query.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }

    private static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
