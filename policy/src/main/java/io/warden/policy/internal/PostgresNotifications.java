package io.warden.policy.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * One connection per instance that LISTENs on Warden's channels and hands each notification to the channel's
 * subscribers, each channel on a thread of its own (so that a slow subscriber, say one waiting out the calls still
 * deciding, never delays another channel's). When the connection breaks, or stops answering a query it is sent
 * every few seconds (a half-open connection after a failover would otherwise deliver nothing, silently), it
 * reconnects and tells every subscriber that it may have missed notifications ({@link Subscriber#resync()}), so that
 * nothing engaged or revoked while it was away is lost; the subscribers' periodic reconciliation is the safety net
 * behind that. Thread-safe.
 */
final class PostgresNotifications implements SmartLifecycle {

    /** What a channel's subscriber is told: a notification, or that some may have been missed. */
    interface Subscriber {

        void notified(String payload);

        void resync();
    }

    private static final Logger log = LoggerFactory.getLogger(PostgresNotifications.class);

    private final DataSource dataSource;
    /** How often the listening connection is asked to answer, and how long it may take. */
    private static final long PROBE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final int PROBE_TIMEOUT_SECONDS = 5;

    private final Map<String, List<Subscriber>> subscribers = new ConcurrentHashMap<>();
    /** One thread per channel; a notification that arrives while its channel's subscribers are busy waits its turn. */
    private final Map<String, ExecutorService> dispatchers = new ConcurrentHashMap<>();

    private volatile boolean running;
    private @Nullable Thread listener;

    PostgresNotifications(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Subscribes to a channel; channels are fixed identifiers, never input. Subscribe before the start. */
    void subscribe(String channel, Subscriber subscriber) {
        if (!channel.matches("[a-z_]{1,63}")) {
            throw new IllegalArgumentException("not a channel name: " + channel);
        }
        subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(subscriber);
        dispatchers.computeIfAbsent(
                channel,
                c -> Executors.newSingleThreadExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "warden-notifications-" + c);
                    thread.setDaemon(true);
                    return thread;
                }));
    }

    /** Released by {@link #stop()}: ends the listener's pause before a reconnection at once. */
    private volatile CountDownLatch stopping = new CountDownLatch(1);

    @Override
    public synchronized void start() {
        running = true;
        stopping = new CountDownLatch(1);
        Thread thread = new Thread(this::listen, "warden-notifications");
        thread.setDaemon(true);
        thread.start();
        listener = thread;
    }

    private void listen() {
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    for (String channel : subscribers.keySet()) {
                        statement.execute("LISTEN " + channel);
                    }
                }
                subscribers.forEach(
                        (channel, list) -> dispatch(channel, () -> list.forEach(PostgresNotifications::resync)));
                PGConnection postgres = connection.unwrap(PGConnection.class);
                long probed = System.nanoTime();
                while (running) {
                    PGNotification[] notifications = postgres.getNotifications(250);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            String channel = notification.getName();
                            String payload = notification.getParameter();
                            dispatch(channel, () -> deliver(channel, payload));
                        }
                    }
                    if (System.nanoTime() - probed > PROBE_EVERY_NANOS) {
                        try (Statement probe = connection.createStatement()) {
                            probe.setQueryTimeout(PROBE_TIMEOUT_SECONDS);
                            probe.execute("select 1"); // throws on a connection that no longer answers: reconnect
                        }
                        probed = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running) {
                    log.warn("The notification listener lost its connection; reconnecting", e);
                    try {
                        // a pause before reconnecting, which stop() cuts short
                        stopping.await(500, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private void dispatch(String channel, Runnable work) {
        var dispatcher = dispatchers.get(channel);
        if (dispatcher != null) {
            dispatcher.execute(work);
        }
    }

    private void deliver(String channel, String payload) {
        for (Subscriber subscriber : subscribers.getOrDefault(channel, List.of())) {
            try {
                subscriber.notified(payload);
            } catch (RuntimeException e) {
                log.error("A subscriber to {} failed; its reconciliation will catch up", channel, e);
            }
        }
    }

    private static void resync(Subscriber subscriber) {
        try {
            subscriber.resync();
        } catch (RuntimeException e) {
            log.warn("A subscriber could not resynchronise; its reconciliation will", e);
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        stopping.countDown();
        if (listener != null) {
            try {
                listener.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Listens before the kill switches and policy caches start serving, and stops after them. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 100;
    }
}
