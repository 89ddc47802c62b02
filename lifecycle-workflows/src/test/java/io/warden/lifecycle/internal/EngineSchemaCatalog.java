package io.warden.lifecycle.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * The workflow engine's part of a database's catalog, as sorted lines that compare and print well: every
 * relation whose name starts with {@code act_} (tables, indexes, sequences, views), each table column with its
 * type, length, nullability and default, each index's definition and each constraint's. Read from the
 * connection's current schema.
 */
record EngineSchemaCatalog(
        List<String> relations, List<String> columns, List<String> indexes, List<String> constraints) {

    static EngineSchemaCatalog of(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            return new EngineSchemaCatalog(
                    lines(
                            statement,
                            "select relname, relkind from pg_class where relnamespace = current_schema()::regnamespace"
                                    + " and relname like 'act\\_%'"),
                    lines(
                            statement,
                            "select table_name, ordinal_position, column_name, data_type, character_maximum_length,"
                                    + " numeric_precision, numeric_scale, is_nullable, column_default from information_schema.columns"
                                    + " where table_schema = current_schema() and table_name like 'act\\_%'"),
                    lines(
                            statement,
                            "select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema()"
                                    + " and tablename like 'act\\_%'"),
                    lines(
                            statement,
                            "select conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) from pg_constraint"
                                    + " where connamespace = current_schema()::regnamespace and conrelid::regclass::text like 'act\\_%'"));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The rows the engine's create scripts insert: its properties and its schema log (less the time of creation). */
    static List<String> scriptRows(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            List<String> rows = new ArrayList<>();
            rows.addAll(lines(statement, "select 'act_ge_property', name_, value_, rev_ from act_ge_property"));
            rows.addAll(lines(statement, "select 'act_ge_schema_log', id_, version_ from act_ge_schema_log"));
            return List.copyOf(rows);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How many tables the engine owns: a sanity check that a comparison compares something. */
    int tables() {
        return (int) relations.stream().filter(r -> r.endsWith("|r")).count();
    }

    private static List<String> lines(Statement statement, String sql) throws SQLException {
        TreeSet<String> lines = new TreeSet<>();
        try (ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                StringBuilder line = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    line.append(i > 1 ? "|" : "").append(result.getString(i));
                }
                lines.add(line.toString());
            }
        }
        return List.copyOf(lines);
    }
}
