package db.migration.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The embedded workflow engine's tables, from the engine's own PostgreSQL scripts, so that Flyway owns
 * every table in Warden's schema and the engine runs without DDL rights (it only validates the schema).
 */
public class V6_00__Workflow_engine_schema extends BaseJavaMigration {

    static final List<String> SCRIPTS = List.of("engine", "history", "identity", "case.engine", "case.history",
            "decision.engine", "decision.history");

    @Override
    public void migrate(Context context) throws Exception {
        try (Statement statement = context.getConnection().createStatement()) {
            for (String script : SCRIPTS) {
                for (String sql : statements(read("org/operaton/bpm/engine/db/create/activiti.postgres.create." + script + ".sql"))) {
                    statement.execute(sql);
                }
            }
        }
    }

    /** The script's statements: comment lines dropped, split at the semicolons that end lines. */
    static List<String> statements(String script) {
        StringBuilder text = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                text.append(line).append('\n');
            }
        }
        return java.util.Arrays.stream(text.toString().split(";\\s*\n")).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> s.endsWith(";") ? s.substring(0, s.length() - 1) : s).toList();
    }

    private static String read(String resource) {
        try (InputStream in = V6_00__Workflow_engine_schema.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The workflow engine's script " + resource + " is not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
