package io.warden.app.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This JVM's claim on the embedded PostgreSQL's data folder: an exclusive lock on a file beside it, held
 * until the embedded server has stopped. The operating system drops the lock when the JVM dies, however it
 * dies, so a lock that can be taken means no live Warden owns the folder, and a postmaster still running on
 * it was left behind by a Warden that was killed: it is stopped before the new start.
 */
final class DataFolderOwner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DataFolderOwner.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private DataFolderOwner(Path lockFile, FileChannel channel, FileLock lock) {
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file that guards {@code dataDir}: beside it, so that initdb still finds an empty folder. */
    static Path lockFileOf(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ".owner.lock");
    }

    /**
     * Claims {@code dataDir} for this JVM, or refuses when a live Warden holds it; then stops an orphaned
     * postmaster left running on it.
     */
    static DataFolderOwner claim(Path dataDir) {
        Path lockFile = lockFileOf(dataDir);
        FileChannel channel;
        try {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not open the owner lock " + lockFile, e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this very JVM already runs a Warden on the folder
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("Could not lock " + lockFile, e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new IllegalStateException("Another Warden is running with its database in " + dataDir + " (it holds "
                    + lockFile + "); stop it first, or give this one its own folder with warden.data-dir");
        }
        DataFolderOwner owner = new DataFolderOwner(lockFile, channel, lock);
        try {
            writePid(channel);
            stopOrphan(dataDir);
        } catch (RuntimeException e) {
            owner.close();
            throw e;
        }
        return owner;
    }

    private static void writePid(FileChannel channel) {
        try {
            channel.truncate(0);
            channel.write(
                    ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException e) {
            // the pid is only a hint for people; the lock is what counts
            log.debug("Could not write the pid into the owner lock", e);
        }
    }

    /**
     * Stops the postmaster named in {@code postmaster.pid} when it is alive, is a postgres binary and serves
     * this very folder; anything else in that file is left to postgres, which treats a dead pid as stale.
     */
    static void stopOrphan(Path dataDir) {
        stopServer(dataDir, true);
    }

    /**
     * Stops the server this JVM started on {@code dataDir} when its start failed half-way (it runs, but Warden
     * could not log in to it), so that the failed start leaves no process behind.
     */
    static void stopAfterFailedStart(Path dataDir) {
        stopServer(dataDir, false);
    }

    private static void stopServer(Path dataDir, boolean orphan) {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + pidFile, e);
        }
        if (lines.size() < 2) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            if (!orphan) {
                return;
            }
            log.info(
                    "The embedded PostgreSQL's last run on {} did not stop cleanly (pid {} is gone); it recovers on start",
                    dataDir,
                    pid);
            return;
        }
        @Nullable String command = process.get().info().command().orElse(null);
        if (command == null
                || !Path.of(command).getFileName().toString().equals("postgres")
                || !sameFolder(Path.of(lines.get(1).trim()), dataDir)) {
            // a reused pid, or a server on another folder: not ours to stop
            log.warn(
                    "{} names pid {} ({}), which is not a postgres serving {}; leaving it alone",
                    pidFile,
                    pid,
                    command,
                    dataDir);
            return;
        }
        if (orphan) {
            log.warn(
                    "No live Warden owns {}, but the PostgreSQL it started (pid {}) is still running on it: the last "
                            + "Warden was killed. Stopping that server (fast shutdown) before starting again.",
                    dataDir,
                    pid);
        }
        Path pgCtl = Path.of(command).resolveSibling("pg_ctl");
        boolean asked = Files.isExecutable(pgCtl) && pgCtlStop(pgCtl, dataDir);
        if (!asked) {
            signalFastShutdown(pid);
        }
        awaitExit(process.get(), pid, dataDir);
        log.info(
                orphan
                        ? "Stopped the orphaned PostgreSQL (pid {}) on {}"
                        : "Stopped the embedded PostgreSQL (pid {}) on {}",
                pid,
                dataDir);
    }

    private static boolean sameFolder(Path a, Path b) {
        try {
            return a.toRealPath().equals(b.toRealPath());
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    private static boolean pgCtlStop(Path pgCtl, Path dataDir) {
        try {
            Process stop = new ProcessBuilder(
                            pgCtl.toString(), "-D", dataDir.toString(), "-m", "fast", "-t", "60", "-w", "stop")
                    .redirectErrorStream(true)
                    .start();
            String output = new String(stop.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            boolean done = stop.waitFor(STOP_WAIT.toSeconds() + 5, TimeUnit.SECONDS) && stop.exitValue() == 0;
            if (!done) {
                log.warn("pg_ctl stop did not stop the orphaned PostgreSQL: {}", output);
            }
            return done;
        } catch (IOException e) {
            log.warn("Could not run {}", pgCtl, e);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping the orphaned PostgreSQL", e);
        }
    }

    /** SIGINT is postgres's fast shutdown: open transactions roll back, the server checkpoints and exits. */
    private static void signalFastShutdown(long pid) {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(pid))
                    .inheritIO()
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not signal the orphaned PostgreSQL (pid " + pid + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping the orphaned PostgreSQL", e);
        }
    }

    private static void awaitExit(ProcessHandle process, long pid, Path dataDir) {
        try {
            process.onExit().get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping the orphaned PostgreSQL", e);
        } catch (ExecutionException | TimeoutException e) {
            // still alive: said below
        }
        if (process.isAlive()) {
            throw new IllegalStateException("The orphaned PostgreSQL (pid " + pid + ") on " + dataDir
                    + " did not stop within " + STOP_WAIT.toSeconds() + " s; stop it by hand and start Warden again");
        }
    }

    Path lockFile() {
        return lockFile;
    }

    /** Releases the folder; called after the embedded server has stopped. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            log.debug("Could not release {}", lockFile, e);
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("Could not close the owner lock", e);
        }
    }
}
