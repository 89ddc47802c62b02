package io.warden.audit.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import io.warden.audit.AuditTarget;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A separate JVM that appends to an audit log, as another Warden instance would: {@code threads} threads
 * append {@code count} events each (0: until killed) with source ids {@code <prefix>-<thread>-<n>}, and print
 * {@code OK <source id> <sequence>} for every append that returned.
 *
 * <p>Arguments: JDBC URL, key folder, prefix, count, threads.
 */
public final class AppenderProcess {

    public static void main(String[] args) throws Exception {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(args[0]);
        dataSource.setReWriteBatchedInserts(true);
        String prefix = args[2];
        int count = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        var properties = new AuditProperties(
                50,
                Duration.ofSeconds(1),
                64,
                10_000,
                Duration.ofSeconds(30),
                null,
                null,
                null,
                Path.of(args[1]),
                List.of());
        PostgresAuditLog log = new PostgresAuditLog(
                dataSource, Clock.systemUTC(), SigningKeys.generatedIn(Path.of(args[1])), properties);
        log.start();
        PrintStream out = new PrintStream(System.out, true);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers[t] = new Thread(() -> {
                for (int n = 0; count == 0 || n < count; n++) {
                    String source = prefix + "-" + thread + "-" + n;
                    AuditRecord record = log.append(AuditEvent.builder(
                                    "gateway.decision",
                                    AuditActor.agent("agent-" + thread, "owner"),
                                    new AuditTarget("tool", "image-search"))
                            .sourceId(source)
                            .agent("agent-" + thread)
                            .decision("PERMIT")
                            .build());
                    synchronized (out) {
                        out.println("OK " + source + " " + record.sequence());
                    }
                }
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        log.stop();
        out.println("DONE");
    }
}
