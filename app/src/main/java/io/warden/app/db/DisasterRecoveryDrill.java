package io.warden.app.db;

import io.warden.WardenApplication;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.AuditTrail;
import io.warden.audit.AuditVerifier;
import io.warden.audit.Verification;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The disaster-recovery drill ({@code bin/warden-dr-drill}): a base backup of the embedded PostgreSQL and its archived
 * WAL, restored to a point in time in a new folder, Warden started there, the audit chain verified, and a report of
 * what was restored against the restore point and how long it took.
 *
 * <p>Two sources. Without {@code --source}, a scratch Warden is started in the work folder with WAL archiving on and
 * the drill writes its own small trail around the backup and the restore point (records after the restore point must
 * not come back). With {@code --source WARDEN_DATA_DIR --wal-archive DIR}, the drill backs up a running Warden that
 * archives its WAL there ({@code warden.db.wal-archive}) and leaves it running.
 */
public final class DisasterRecoveryDrill {

    /** What the drill was asked to do. */
    record Options(
            Path work,
            @Nullable Path source,
            @Nullable Path walArchive,
            int events,
            String database,
            Map<String, String> wardenProperties) {}

    /** The source's trail as of the restore point: what a perfect restore brings back. */
    record SourceAtRestorePoint(long lastSequence, @Nullable Instant lastRecordTime, long head) {}

    /** The restored Warden's verification of its whole trail. */
    record ChainCheck(
            boolean valid,
            long eventsChecked,
            int checkpointsChecked,
            long lastSignedSequence,
            @Nullable Long firstBadSequence,
            @Nullable String problem,
            String health) {}

    /**
     * The drill's report.
     *
     * @param restorePoint        the point in time restored to (recovery_target_time)
     * @param lostRecords         records committed on the source by the restore point and missing after the restore
     * @param rpoSeconds          the span of history before the restore point that the restore lacks
     * @param rtoSeconds          restore, Warden's start and the chain's verification
     * @param drillSeconds        the whole drill, backup and scratch trail included
     */
    record Report(
            String mode,
            Instant restorePoint,
            BaseBackup.Result backup,
            SourceAtRestorePoint source,
            PointInTimeRestore.Restored restored,
            ChainCheck chain,
            long lostRecords,
            long recordsAfterRestorePointRestored,
            double rpoSeconds,
            double backupSeconds,
            double restoreSeconds,
            double wardenStartSeconds,
            double rtoSeconds,
            double drillSeconds,
            boolean passed,
            String work) {

        String text() {
            StringBuilder out = new StringBuilder();
            out.append(passed ? "DR drill PASSED" : "DR drill FAILED")
                    .append(" (")
                    .append(mode)
                    .append(")\n");
            out.append(String.format(Locale.ROOT, "  restore point        %s%n", restorePoint));
            out.append(String.format(
                    Locale.ROOT,
                    "  base backup          %s .. %s in %.1f s%n",
                    backup.startLsn(),
                    backup.stopLsn(),
                    backupSeconds));
            out.append(String.format(
                    Locale.ROOT,
                    "  source at the point  record #%d (%s); #%d by the end%n",
                    source.lastSequence(),
                    source.lastRecordTime(),
                    source.head()));
            out.append(String.format(
                    Locale.ROOT,
                    "  restored last record #%d (%s), timeline %s%n",
                    restored.lastSequence(),
                    restored.lastRecordTime(),
                    restored.timeline()));
            out.append(String.format(
                    Locale.ROOT,
                    "  last signed checkpt  #%d (%s), %d records after it%n",
                    restored.lastCheckpointSequence(),
                    restored.lastCheckpointTime(),
                    restored.lastSequence() - restored.lastCheckpointSequence()));
            out.append(String.format(
                    Locale.ROOT,
                    "  last anchored        %s%n",
                    restored.lastAnchoredSequence() == null
                            ? "none (anchoring off in this database)"
                            : "#" + restored.lastAnchoredSequence()));
            out.append(String.format(
                    Locale.ROOT,
                    "  audit chain          %s: %d records, %d checkpoints%s; health %s%n",
                    chain.valid() ? "valid" : "INVALID",
                    chain.eventsChecked(),
                    chain.checkpointsChecked(),
                    chain.problem() == null ? "" : ", " + chain.problem() + " at #" + chain.firstBadSequence(),
                    chain.health()));
            out.append(String.format(
                    Locale.ROOT,
                    "  data lost (RPO)      %d records, %.3f s before the restore point%s%n",
                    lostRecords,
                    rpoSeconds,
                    recordsAfterRestorePointRestored > 0
                            ? "; " + recordsAfterRestorePointRestored + " records from AFTER it came back"
                            : ""));
            out.append(String.format(
                    Locale.ROOT,
                    "  time (RTO)           %.1f s: restore %.1f s, Warden up and verified %.1f s; drill %.1f s%n",
                    rtoSeconds,
                    restoreSeconds,
                    wardenStartSeconds,
                    drillSeconds));
            out.append("  folders              ").append(work).append('\n');
            return out.toString();
        }
    }

    private final Options options;
    private final Clock clock;
    private final PrintStream log;

    DisasterRecoveryDrill(Options options, Clock clock, PrintStream log) {
        this.options = options;
        this.clock = clock;
        this.log = log;
    }

    /**
     * {@code [--work DIR] [--source WARDEN_DATA_DIR --wal-archive DIR] [--events N] [--json FILE] [--warden.x=y ...]};
     * prints the report as text, and as JSON on the last line (or into {@code --json}); exits 0 when the drill passed.
     */
    @SuppressForbidden("the drill is a command-line entry point: its exit status tells a scheduler it passed")
    public static void main(String[] args) {
        Options options;
        @Nullable Path json;
        try {
            options = parse(args);
            json = jsonFile(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: warden-dr-drill [--work DIR] [--source WARDEN_DATA_DIR --wal-archive DIR] "
                    + "[--events N] [--database NAME] [--json FILE] [--warden.setting=value ...]");
            System.exit(2);
            return;
        }
        Report report = new DisasterRecoveryDrill(options, Clock.systemUTC(), System.err).run();
        String jsonText = toJson(report);
        System.out.print(report.text());
        if (json != null) {
            try {
                Files.writeString(json, jsonText + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not write " + json, e);
            }
        } else {
            System.out.println(jsonText);
        }
        System.exit(report.passed() ? 0 : 1);
    }

    static String toJson(Report report) {
        return JsonMapper.builder()
                .disable(SerializationFeature.INDENT_OUTPUT)
                .build()
                .writeValueAsString(report);
    }

    static Options parse(String[] args) {
        Path work = null;
        Path source = null;
        Path walArchive = null;
        int events = 200;
        String database = "warden";
        Map<String, String> warden = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--work" -> work = Path.of(value(args, ++i, arg));
                case "--source" -> source = Path.of(value(args, ++i, arg));
                case "--wal-archive" -> walArchive = Path.of(value(args, ++i, arg));
                case "--events" -> events = positive(value(args, ++i, arg), arg);
                case "--database" -> database = value(args, ++i, arg);
                case "--json" -> i++;
                default -> {
                    if ((arg.startsWith("--warden.") || arg.startsWith("--spring.") || arg.startsWith("--logging."))
                            && arg.contains("=")) {
                        warden.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
                    } else {
                        throw new IllegalArgumentException("unknown argument " + arg);
                    }
                }
            }
        }
        if ((source == null) != (walArchive == null)) {
            throw new IllegalArgumentException("--source and --wal-archive go together: the running Warden's "
                    + "warden.data-dir and its warden.db.wal-archive");
        }
        if (work == null) {
            try {
                work = Files.createTempDirectory("warden-dr-drill-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Options(
                work.toAbsolutePath().normalize(),
                source == null ? null : source.toAbsolutePath().normalize(),
                walArchive == null ? null : walArchive.toAbsolutePath().normalize(),
                events,
                database,
                warden);
    }

    private static @Nullable Path jsonFile(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--json")) {
                return Path.of(value(args, i + 1, "--json"));
            }
        }
        return null;
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static int positive(String text, String name) {
        try {
            int value = Integer.parseInt(text);
            if (value >= 4) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number of at least 4, got " + text);
    }

    Report run() {
        Instant began = clock.instant();
        boolean scratch = options.source() == null;
        Path sourceRoot = scratch ? options.work().resolve("source") : requireSource();
        Path archive = scratch ? options.work().resolve("wal-archive") : requireArchive();
        Path backupFolder = options.work().resolve("base-backup");
        Path restoredRoot = options.work().resolve("restored");
        Path sourcePgdata = sourceRoot.resolve("pgdata");

        ConfigurableApplicationContext sourceWarden = null;
        BaseBackup.Result backup;
        Instant restorePoint;
        SourceAtRestorePoint atRestorePoint;
        double backupSeconds;
        try {
            if (scratch) {
                log.println("drill: starting a scratch Warden in " + sourceRoot + ", archiving its WAL to " + archive);
                Map<String, String> properties = new LinkedHashMap<>(scratchSettings(sourceRoot));
                properties.put("warden.db.wal-archive", archive.toString());
                sourceWarden = startWarden(properties);
            }
            try (Connection superuser = superuser(sourcePgdata)) {
                AuditLog audit = sourceWarden == null ? null : sourceWarden.getBean(AuditLog.class);
                append(audit, "before_backup", options.events());
                log.println("drill: base backup of " + sourcePgdata + " into " + backupFolder);
                Instant backupBegan = clock.instant();
                backup = BaseBackup.take(superuser, sourcePgdata, backupFolder, "warden-dr-drill");
                backupSeconds = seconds(backupBegan, clock.instant());
                append(audit, "after_backup", options.events() / 2);
                // the server's clock, which stamps the commit records recovery_target_time is compared with
                restorePoint = databaseTime(superuser);
                append(audit, "after_restore_point", options.events() / 4);
                commitAfter(superuser);
                awaitArchived(superuser);
                atRestorePoint = sourceAt(sourcePgdata, restorePoint);
            } catch (SQLException e) {
                throw new IllegalStateException("Could not back up the PostgreSQL in " + sourcePgdata, e);
            }
        } finally {
            if (sourceWarden != null) {
                // the disaster: the scratch source is gone; only the backup and the archive remain
                sourceWarden.close();
            }
        }

        log.println("drill: restoring to " + restorePoint + " in " + restoredRoot);
        Instant restoreBegan = clock.instant();
        PointInTimeRestore.Restored restored = PointInTimeRestore.restore(
                backupFolder, archive, restorePoint, restoredRoot.resolve("pgdata"), options.database());
        Instant restoreEnded = clock.instant();
        ChainCheck chain;
        Map<String, String> properties = new LinkedHashMap<>();
        if (scratch) {
            properties.putAll(scratchSettings(restoredRoot));
        } else {
            properties.put("warden.data-dir", restoredRoot.toString());
            properties.put("server.port", "0");
            properties.put("warden.demo.enabled", "false");
            properties.putAll(options.wardenProperties());
        }
        // secrets are not in the backup: they come from where the source keeps them (its secret store)
        properties.put("warden.identity.key-dir", sourceRoot.resolve("identity").toString());
        properties.put("warden.audit.key-dir", sourceRoot.resolve("audit").toString());
        properties.remove("warden.db.wal-archive");
        try (ConfigurableApplicationContext restoredWarden = startWarden(properties)) {
            long head = restoredWarden.getBean(AuditTrail.class).head();
            // an empty trail has nothing to recompute; a range of one missing record would read as truncated
            Verification verification = head == 0
                    ? new Verification(true, 1, 0, 0, 0, 0, null, null, null)
                    : restoredWarden.getBean(AuditVerifier.class).verify(1, head);
            chain = new ChainCheck(
                    verification.valid(),
                    verification.eventsChecked(),
                    verification.checkpointsChecked(),
                    verification.lastSignedSequence(),
                    verification.firstBadSequence(),
                    verification.problem(),
                    health(restoredWarden));
        }
        Instant verified = clock.instant();

        long lost = Math.max(0, atRestorePoint.lastSequence() - restored.lastSequence());
        long afterRestorePoint = Math.max(0, restored.lastSequence() - atRestorePoint.lastSequence());
        double rpo = lost == 0 || atRestorePoint.lastRecordTime() == null
                ? 0
                : seconds(
                        restored.lastRecordTime() == null ? restorePoint : restored.lastRecordTime(),
                        atRestorePoint.lastRecordTime());
        boolean passed = chain.valid()
                && lost == 0
                && afterRestorePoint == 0
                && chain.health().equals("UP");
        return new Report(
                scratch ? "scratch" : "source",
                restorePoint,
                backup,
                atRestorePoint,
                restored,
                chain,
                lost,
                afterRestorePoint,
                rpo,
                backupSeconds,
                seconds(restoreBegan, restoreEnded),
                seconds(restoreEnded, verified),
                seconds(restoreBegan, verified),
                seconds(began, verified),
                passed,
                options.work().toString());
    }

    private Path requireSource() {
        Path source = options.source();
        if (source == null || !Files.isRegularFile(source.resolve("pgdata").resolve("postmaster.pid"))) {
            throw new IllegalArgumentException("--source must be the warden.data-dir of a running Warden (no " + source
                    + "/pgdata/postmaster.pid)");
        }
        return source;
    }

    private Path requireArchive() {
        Path archive = options.walArchive();
        if (archive == null || !Files.isDirectory(archive)) {
            throw new IllegalArgumentException("--wal-archive must be the running Warden's warden.db.wal-archive");
        }
        return archive;
    }

    /** A small, quick Warden: no demo data, and a checkpoint every 25 records so the drill's trail has several. */
    private Map<String, String> scratchSettings(Path root) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("warden.data-dir", root.toString());
        settings.put("server.port", "0");
        settings.put("warden.demo.enabled", "false");
        settings.put("warden.audit.checkpoint-every", "25");
        settings.putAll(options.wardenProperties());
        return settings;
    }

    private static ConfigurableApplicationContext startWarden(Map<String, String> properties) {
        List<String> args = new ArrayList<>();
        properties.forEach((key, value) -> args.add("--" + key + "=" + value));
        return new SpringApplicationBuilder(WardenApplication.class).run(args.toArray(String[]::new));
    }

    private void append(@Nullable AuditLog audit, String phase, int count) {
        if (audit == null) {
            return;
        }
        for (int i = 0; i < count; i++) {
            audit.append(AuditEvent.builder(
                            "dr_drill." + phase, AuditActor.system("dr-drill"), new AuditTarget("dr_drill", phase))
                    .detail("n", i)
                    .build());
        }
    }

    private static Connection superuser(Path pgdata) throws SQLException {
        return superuser(pgdata, "postgres");
    }

    private static Connection superuser(Path pgdata, String database) throws SQLException {
        int port = port(pgdata);
        Properties login = new Properties();
        login.setProperty("user", "postgres");
        login.setProperty("password", EmbeddedPasswords.read(pgdata).superuser());
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + database, login);
    }

    /** The port of the server running on {@code pgdata}: the fourth line of its postmaster.pid. */
    private static int port(Path pgdata) {
        try {
            List<String> lines = Files.readAllLines(pgdata.resolve("postmaster.pid"), StandardCharsets.US_ASCII);
            return Integer.parseInt(lines.get(3).trim());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("No PostgreSQL runs on " + pgdata + " (no readable postmaster.pid)", e);
        }
    }

    private static Instant databaseTime(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet now = statement.executeQuery("select clock_timestamp()")) {
            now.next();
            return now.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    /**
     * Commits an empty transaction after the restore point. Recovery to a time stops at the first commit after it;
     * with none in the archive (an idle Warden) PostgreSQL cannot tell the point was reached and refuses to promote.
     */
    private static void commitAfter(Connection superuser) throws SQLException {
        try (Statement statement = superuser.createStatement()) {
            // the pause puts the commit strictly after the restore point on the server's microsecond clock
            statement.execute("select pg_sleep(0.01), txid_current()");
        }
    }

    /** Closes the current WAL segment and waits until the archiver has it: the archive then covers the restore point. */
    private static void awaitArchived(Connection superuser) throws SQLException {
        String segment;
        try (Statement statement = superuser.createStatement();
                ResultSet switched = statement.executeQuery("select pg_walfile_name(pg_switch_wal() - 1)")) {
            switched.next();
            segment = switched.getString(1);
        }
        try (Statement statement = superuser.createStatement()) {
            for (int tries = 0; tries < 1200; tries++) {
                try (ResultSet archived = statement.executeQuery(
                        "select coalesce(last_archived_wal, ''), coalesce(last_failed_wal, '') from pg_stat_archiver")) {
                    archived.next();
                    String last = archived.getString(1);
                    if (last.length() >= 24 && last.substring(0, 24).compareTo(segment) >= 0) {
                        return;
                    }
                }
                statement.execute("select pg_sleep(0.1)");
            }
        }
        throw new IllegalStateException("The WAL segment " + segment + " was not archived within two minutes; "
                + "check archive_command and the archive folder");
    }

    private SourceAtRestorePoint sourceAt(Path pgdata, Instant restorePoint) throws SQLException {
        try (Connection warden = superuser(pgdata, options.database());
                PreparedStatement statement =
                        warden.prepareStatement("select (select max(seq) from audit_event where time <= ?),"
                                + " (select max(time) from audit_event where time <= ?),"
                                + " (select coalesce(max(seq), 0) from audit_event)")) {
            statement.setTimestamp(1, Timestamp.from(restorePoint));
            statement.setTimestamp(2, Timestamp.from(restorePoint));
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                long last = row.getLong(1);
                OffsetDateTime time = row.getObject(2, OffsetDateTime.class);
                return new SourceAtRestorePoint(last, time == null ? null : time.toInstant(), row.getLong(3));
            }
        }
    }

    private static String health(ConfigurableApplicationContext warden) {
        String port = warden.getEnvironment().getProperty("local.server.port");
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/health"))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"UP\"")
                    ? "UP"
                    : "HTTP " + response.statusCode();
        } catch (IOException e) {
            return "unreachable: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}
