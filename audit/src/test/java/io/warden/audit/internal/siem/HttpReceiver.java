package io.warden.audit.internal.siem;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An HTTP receiver on a free loopback port: each request body goes to a handler that returns the status to answer
 * (and keeps what it accepted); {@link #failNext} makes it answer 503 to that many requests first, as a receiver in an
 * outage.
 */
final class HttpReceiver implements AutoCloseable {

    /** A request as the receiver saw it. */
    record Request(String path, String body, String timestamp, String signature) {}

    private final HttpServer server;
    private final AtomicInteger failures = new AtomicInteger();
    private final List<Request> requests = new ArrayList<>();

    HttpReceiver(Function<Request, Integer> handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> handle(exchange, handler));
        server.start();
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    void failNext(int count) {
        failures.set(count);
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange, Function<Request, Integer> handler) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(
                    exchange.getRequestURI().getPath(),
                    body,
                    String.valueOf(exchange.getRequestHeaders().getFirst(HttpSinks.TIMESTAMP_HEADER)),
                    String.valueOf(exchange.getRequestHeaders().getFirst(HttpSinks.SIGNATURE_HEADER)));
            synchronized (this) {
                requests.add(request);
            }
            int status = failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 503 : handler.apply(request);
            exchange.sendResponseHeaders(status, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
