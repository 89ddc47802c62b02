package io.warden.audit.internal;

import io.warden.audit.AuditRecord;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A migrated database with a running audit log, for tests outside this package (SIEM streaming) that need a real
 * trail to follow. Not thread-safe.
 */
public final class TrailFixture implements AutoCloseable {

    private final AuditDatabase database = new AuditDatabase();
    private final PostgresAuditLog log;
    private int appended;

    public TrailFixture(Path keyDir) {
        log = PostgresAuditLogTests.newLog(database, SigningKeys.generatedIn(keyDir));
        log.start();
    }

    public DataSource dataSource() {
        return database.dataSource;
    }

    /** Appends {@code count} more events and returns their records. */
    public List<AuditRecord> append(int count) {
        List<AuditRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(log.append(PostgresAuditLogTests.event(++appended)));
        }
        return records;
    }

    /** Runs SQL as the schema owner: what someone holding the database credentials can do. */
    public void execute(String sql) throws SQLException {
        database.execute(sql);
    }

    @Override
    public void close() {
        log.stop();
    }
}
