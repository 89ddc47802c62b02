package io.warden.lifecycle.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import javax.sql.DataSource;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * Builds a database as releases before issue 17 did: {@code V6_00} as the Java class that read the engine's
 * create scripts from its jar at run time, then the module's other migrations.
 *
 * <p>The class is the released source, verbatim from git history (commit 68e7134, the only version there
 * was), kept as the test resource {@code earlier-release/db/migration/lifecycle/V6_00__Workflow_engine_schema.java}
 * and compiled here under its released name, for two reasons. The schema history stores a Java migration's
 * class name as its script, and the upgrade must meet the row that release wrote, not one written by a copy
 * under another name. And as a test source the class would sit in {@code classpath:db/migration/lifecycle}
 * beside the SQL file, and every test migrating that location would find two migrations 6.00.
 */
final class EarlierWorkflowEngineSchema {

    static final String RESOURCE = "earlier-release/db/migration/lifecycle/V6_00__Workflow_engine_schema.java";
    static final String CLASS = "db.migration.lifecycle.V6_00__Workflow_engine_schema";

    private EarlierWorkflowEngineSchema() {}

    /** Migrates {@code dataSource} as the earlier release did; {@code work} holds the compiled class and the other migrations. */
    static void migrate(DataSource dataSource, Path work) {
        migrate(dataSource, work, "public");
    }

    /** The same, with Flyway told to use {@code schema}. */
    static void migrate(DataSource dataSource, Path work, String schema) {
        Path migrations = otherMigrations(work.resolve("migrations"));
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(schema)
                .locations("filesystem:" + migrations)
                .javaMigrations(compile(work.resolve("classes")))
                .load()
                .migrate();
    }

    /** The released class, compiled against the Flyway on the test classpath and loaded beside it. */
    static JavaMigration compile(Path classes) {
        try {
            Path source = classes.resolve("src/V6_00__Workflow_engine_schema.java");
            Files.createDirectories(source.getParent());
            try (InputStream in = Objects.requireNonNull(
                    EarlierWorkflowEngineSchema.class.getClassLoader().getResourceAsStream(RESOURCE), RESOURCE)) {
                Files.write(source, in.readAllBytes());
            }
            Path out = Files.createDirectories(classes.resolve("out"));
            JavaCompiler javac = Objects.requireNonNull(ToolProvider.getSystemJavaCompiler(), "tests run on a JDK");
            String flyway = Path.of(JavaMigration.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
            int status = javac.run(
                    null,
                    null,
                    null,
                    "-proc:none",
                    "-nowarn",
                    "-classpath",
                    flyway,
                    "-d",
                    out.toString(),
                    source.toString());
            if (status != 0) {
                throw new IllegalStateException("The earlier V6_00 did not compile (javac exit " + status + ")");
            }
            // Never closed: Flyway loads the class's nested types and the engine's scripts through it while it
            // migrates.
            URLClassLoader loader = new URLClassLoader(
                    new URL[] {out.toUri().toURL()}, EarlierWorkflowEngineSchema.class.getClassLoader());
            return (JavaMigration)
                    loader.loadClass(CLASS).getDeclaredConstructor().newInstance();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ReflectiveOperationException | URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The module's SQL migrations as they are today, less the file that replaced the Java class. */
    private static Path otherMigrations(Path folder) {
        try {
            Path today = Path.of(Objects.requireNonNull(
                            EarlierWorkflowEngineSchema.class.getClassLoader().getResource("db/migration/lifecycle"))
                    .toURI());
            Files.createDirectories(folder);
            List<Path> copied;
            try (Stream<Path> files = Files.list(today)) {
                copied = files.filter(f -> f.getFileName().toString().endsWith(".sql"))
                        .filter(f -> !f.getFileName().toString().startsWith("V6_00__"))
                        .toList();
            }
            for (Path file : copied) {
                Files.copy(file, folder.resolve(file.getFileName()));
            }
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
