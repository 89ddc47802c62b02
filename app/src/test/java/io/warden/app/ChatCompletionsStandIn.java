package io.warden.app;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A local stand-in for an OpenAI-compatible chat-completions endpoint ({@code POST /v1/chat/completions} on a loopback
 * port), for the tests of the model calls rag-classify makes: it keeps every request it receives and answers with what
 * {@link #answer} makes of the request.
 */
final class ChatCompletionsStandIn {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Every request received, in order. */
    final List<JsonNode> prompts = new CopyOnWriteArrayList<>();
    /** What the stand-in answers, given the request it received: the chat completion's JSON. */
    final AtomicReference<Function<JsonNode, String>> answer = new AtomicReference<>();

    private @Nullable HttpServer server;

    void start() throws IOException {
        HttpServer started = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        started.createContext("/v1/chat/completions", exchange -> {
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            prompts.add(request);
            byte[] body = answer.get().apply(request).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        started.start();
        server = started;
    }

    int port() {
        HttpServer running = server;
        if (running == null) {
            throw new IllegalStateException("the stand-in model is not started");
        }
        return running.getAddress().getPort();
    }

    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
