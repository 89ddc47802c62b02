package io.warden.audit.internal.siem;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLServerSocketFactory;
import org.jspecify.annotations.Nullable;

/**
 * A syslog receiver over TCP (or TLS) that reads octet-counted RFC 5424 frames (RFC 6587 §3.4.1) and keeps them by
 * the sequence number in their structured data. It can crash: {@link #crashOnMessage} makes it reset the connection
 * on that message, throwing away the message and whatever else the sender had written, and reset every connection
 * for {@code outageConnections} more connections, as a receiver that is down.
 */
final class SyslogReceiver implements AutoCloseable {

    static final Pattern FRAME = Pattern.compile(
            "<(\\d{1,3})>1 (\\S+) (\\S+) (\\S+) (\\S+) (\\S+) \\[warden@32473 seq=\"(\\d+)\"] \uFEFF(.*)",
            Pattern.DOTALL);

    final Received received = new Received();
    private final ServerSocket server;
    private final Thread acceptor;
    private final AtomicInteger messages = new AtomicInteger();
    private volatile int crashOn = -1;
    private final AtomicInteger outageConnections = new AtomicInteger();
    private volatile boolean closed;

    SyslogReceiver(@Nullable SSLServerSocketFactory tls) throws IOException {
        server = tls == null ? new ServerSocket() : tls.createServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = Thread.ofPlatform().daemon().name("test-syslog-receiver").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Crash on the n-th message received (counting repeats), then refuse the next {@code outage} connections. */
    void crashOnMessage(int n, int outage) {
        outageConnections.set(outage);
        crashOn = n;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                if (outageConnections.get() > 0 && crashOn < 0) {
                    outageConnections.decrementAndGet();
                    reset(socket);
                    continue;
                }
                Thread.ofPlatform().daemon().start(() -> read(socket));
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private void read(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            while (true) {
                int length = length(in);
                if (length < 0) {
                    return;
                }
                byte[] frame = in.readNBytes(length);
                if (frame.length < length) {
                    return;
                }
                int count = messages.incrementAndGet();
                if (count == crashOn) {
                    crashOn = -1;
                    reset(socket);
                    return;
                }
                String text = new String(frame, StandardCharsets.UTF_8);
                Matcher matcher = FRAME.matcher(text);
                if (!matcher.matches()) {
                    throw new IllegalStateException("not an RFC 5424 frame: " + text);
                }
                received.accept(Long.parseLong(matcher.group(7)), text);
            }
        } catch (IOException e) {
            // the sender dropped the connection; it reconnects
        }
    }

    /** Digits up to a space; -1 at a clean end of stream. */
    private static int length(InputStream in) throws IOException {
        int value = 0;
        int digits = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (digits == 0) {
                    return -1;
                }
                throw new EOFException("end of stream inside a frame length");
            }
            if (b == ' ') {
                return value;
            }
            if (b < '0' || b > '9' || ++digits > 9) {
                throw new IOException("not an octet-counted frame");
            }
            value = value * 10 + (b - '0');
        }
    }

    /** Closes with a reset (SO_LINGER 0): unread data is thrown away, as when a receiver process dies. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException ignored) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        acceptor.interrupt();
    }
}
