package io.warden.audit.internal.siem;

import io.warden.audit.AuditRecord;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * RFC 5424 messages over TCP or TLS (RFC 5425), framed by octet counting (RFC 6587 §3.4.1).
 *
 * <p>Syslog has no acknowledgement: bytes written may sit in a receiver's buffer when it dies. So a write counts as
 * accepted only once the connection has stayed up for {@code confirmAfter} after it; a receiver that drops the
 * connection in that window (the operating system resets it when unread data is thrown away) makes this sink fail
 * and the streamer send again from the durable cursor. Receivers drop the repeats by the sequence number in each
 * message's structured data.
 */
final class SyslogSink implements SiemSink {

    private record Pending(long sequence, long writtenAtMillis) {}

    private final SiemProperties.Sink settings;
    private final Clock clock;
    private final Duration confirmAfter;
    private final @Nullable SSLSocketFactory tls;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private @Nullable Socket socket;
    private @Nullable OutputStream out;

    SyslogSink(SiemProperties.Sink settings, Clock clock, Duration confirmAfter) {
        this.settings = settings;
        this.clock = clock;
        this.confirmAfter = confirmAfter;
        this.tls = settings.tls() ? socketFactory(settings.trustStore(), settings.trustStorePassword()) : null;
    }

    @Override
    public long deliver(List<AuditRecord> records) throws IOException {
        try {
            OutputStream stream = connected();
            for (AuditRecord record : records) {
                stream.write(SiemMessages.syslogFrame(record, settings.format(), settings.hostname()));
            }
            stream.flush();
            if (!records.isEmpty()) {
                pending.addLast(new Pending(records.getLast().sequence(), clock.millis()));
            }
            checkStillConnected();
            return confirmed();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private long confirmed() {
        long now = clock.millis();
        long accepted = 0;
        while (!pending.isEmpty() && now - pending.peekFirst().writtenAtMillis() >= confirmAfter.toMillis()) {
            accepted = pending.removeFirst().sequence();
        }
        return accepted;
    }

    /** A receiver that closed or reset the connection shows it on a read; syslog receivers never send data. */
    private void checkStillConnected() throws IOException {
        Socket current = socket;
        if (current == null) {
            throw new IOException("not connected");
        }
        current.setSoTimeout(1);
        InputStream in = current.getInputStream();
        try {
            if (in.read() < 0) {
                throw new IOException("the syslog receiver closed the connection");
            }
        } catch (SocketTimeoutException stillOpen) {
            // nothing to read and no end of stream: the connection is up
        }
    }

    private OutputStream connected() throws IOException {
        OutputStream current = out;
        if (current != null) {
            return current;
        }
        String host = settings.host();
        if (host == null) {
            throw new IllegalStateException("syslog sink " + settings.name() + " has no host");
        }
        Socket plain = new Socket();
        try {
            int timeout = Math.toIntExact(settings.timeout().toMillis());
            plain.connect(new InetSocketAddress(host, settings.port()), timeout);
            plain.setTcpNoDelay(false);
            Socket opened = plain;
            SSLSocketFactory factory = tls;
            if (factory != null) {
                SSLSocket secure = (SSLSocket) factory.createSocket(plain, host, settings.port(), true);
                SSLParameters parameters = secure.getSSLParameters();
                // the receiver's certificate must name the host we dialled (RFC 5425 §5.2)
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                secure.setSSLParameters(parameters);
                secure.setSoTimeout(timeout);
                secure.startHandshake();
                opened = secure;
            }
            socket = opened;
            out = new BufferedOutputStream(opened.getOutputStream(), 64 * 1024);
            return out;
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    @Override
    public void close() {
        pending.clear();
        Socket current = socket;
        socket = null;
        out = null;
        if (current != null) {
            try {
                current.close();
            } catch (IOException ignored) {
                // the connection is being dropped anyway; what was not confirmed is sent again
            }
        }
    }

    private static SSLSocketFactory socketFactory(@Nullable Path trustStore, @Nullable String password) {
        try {
            if (trustStore == null) {
                return SSLContext.getDefault().getSocketFactory();
            }
            char[] secret = password == null ? null : password.toCharArray();
            KeyStore store;
            try (InputStream in = Files.newInputStream(trustStore)) {
                store = KeyStore.getInstance(trustStore.toString().endsWith(".jks") ? "JKS" : "PKCS12");
                store.load(in, secret);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(
                    "warden.audit.siem: could not load the trust store of sink " + trustStore + ": " + e.getMessage(),
                    e);
        }
    }
}
