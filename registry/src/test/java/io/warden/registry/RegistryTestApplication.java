package io.warden.registry;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.util.IdGenerator;
import org.springframework.util.JdkIdGenerator;

/**
 * The registry module on its own, on a real PostgreSQL started from the embedded binaries for this test
 * JVM, with the real audit log it records to. Flyway applies both modules' migrations, as in the application.
 */
@SpringBootApplication(scanBasePackages = {"io.warden.registry", "io.warden.audit"})
public class RegistryTestApplication {

    private static @Nullable EmbeddedPostgres postgres;

    static synchronized EmbeddedPostgres postgres() {
        EmbeddedPostgres started = postgres;
        if (started == null) {
            try {
                started = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            postgres = started;
            EmbeddedPostgres closing = started;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    closing.close();
                } catch (IOException ignored) {
                    // the JVM is going away; the temporary data folder goes with it
                }
            }));
        }
        return started;
    }

    @Bean
    DataSource dataSource() {
        return postgres().getPostgresDatabase();
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    IdGenerator idGenerator() {
        return new JdkIdGenerator();
    }
}
