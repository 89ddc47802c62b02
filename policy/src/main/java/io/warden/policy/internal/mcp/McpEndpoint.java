package io.warden.policy.internal.mcp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The servlet at {@code /mcp}: the SDK's stateful Streamable HTTP transport, behind three checks the SDK does not
 * make. A session belongs to the agent that opened it: another agent's request naming it is answered as an unknown
 * session (404), so a leaked session id gives nothing. The body is read once, here, with the size cap, so that the
 * JSON-RPC id and method of a request reach the context extractor ({@link GovernedTools#context}). And
 * {@code notifications/cancelled}, which the SDK drops, interrupts the call it names ({@link Cancellations}).
 * Spring Security has authenticated the request before it gets here.
 */
final class McpEndpoint extends HttpServlet {

    private static final Logger log = LoggerFactory.getLogger(McpEndpoint.class);

    static final String SESSION_HEADER = "Mcp-Session-Id";
    static final String REQUEST_ID = McpEndpoint.class.getName() + ".requestId";
    static final String METHOD = McpEndpoint.class.getName() + ".method";
    static final String TOOL = McpEndpoint.class.getName() + ".tool";
    /** Set when the request's session is one this instance opened for the caller. */
    static final String OWN_SESSION = McpEndpoint.class.getName() + ".ownSession";

    private static final String CANCELLED = "notifications/cancelled";

    private final HttpServletStreamableServerTransportProvider transport;
    private final Cancellations cancellations;
    private final ListedTools listed;
    private final JsonMapper json;
    private final int maxRequestBytes;
    private final Cache<String, String> sessionOwners;

    McpEndpoint(
            HttpServletStreamableServerTransportProvider transport,
            Cancellations cancellations,
            ListedTools listed,
            JsonMapper json,
            int maxRequestBytes,
            Duration sessionIdle) {
        this.transport = transport;
        this.cancellations = cancellations;
        this.listed = listed;
        this.json = json;
        this.maxRequestBytes = maxRequestBytes;
        // the transport forgets an idle session after sessionIdle; its owner is kept a little longer, never less
        this.sessionOwners = Caffeine.newBuilder()
                .expireAfterAccess(sessionIdle.multipliedBy(2))
                .maximumSize(100_000)
                .build();
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        transport.init(config);
    }

    @Override
    public void destroy() {
        transport.destroy();
        super.destroy();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        Principal principal = request.getUserPrincipal();
        if (principal == null) { // the security chain admits only agents; fail closed if it ever did not run
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        String clientId = principal.getName();
        String session = request.getHeader(SESSION_HEADER);
        if (session != null) {
            String owner = sessionOwners.getIfPresent(session);
            if (owner != null && !owner.equals(clientId)) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND, "Session not found");
                return;
            }
            if (owner != null) {
                request.setAttribute(OWN_SESSION, Boolean.TRUE);
            }
        }
        if (!"POST".equals(request.getMethod())) {
            transport.service(request, response);
            if ("DELETE".equals(request.getMethod()) && session != null && response.getStatus() < 300) {
                sessionOwners.invalidate(session);
                listed.forget(session);
            }
            return;
        }
        byte[] body = read(request.getInputStream());
        if (body.length > maxRequestBytes) {
            response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        JsonNode message = parse(body);
        if (message != null && message.isObject()) {
            String method =
                    message.path("method").isString() ? message.path("method").asString() : null;
            JsonNode params = message.path("params");
            if (CANCELLED.equals(method) && session != null) {
                JsonNode requestId = params.path("requestId");
                if (requestId.isString() || requestId.isNumber()) {
                    boolean stopped = cancellations.cancel(clientId, session, requestId.toString());
                    log.debug(
                            "MCP cancellation of request {} in session {}: {}",
                            requestId,
                            session,
                            stopped ? "interrupted" : "not running");
                }
            } else if (method != null
                    && (message.path("id").isString() || message.path("id").isNumber())) {
                request.setAttribute(REQUEST_ID, message.path("id").toString());
                request.setAttribute(METHOD, method);
                if (params.path("name").isString()) {
                    request.setAttribute(TOOL, params.path("name").asString());
                }
            }
        }
        SessionCapture captured = new SessionCapture(response);
        transport.service(new CachedBody(request, body), captured);
        if (captured.sessionId != null) {
            sessionOwners.put(captured.sessionId, clientId);
        }
    }

    /** Reads at most one byte over the cap: enough to know the body is too large without holding it. */
    private byte[] read(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
            out.write(buffer, 0, n);
            if (out.size() > maxRequestBytes) {
                break;
            }
        }
        return out.toByteArray();
    }

    private @Nullable JsonNode parse(byte[] body) {
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            return null; // the SDK answers malformed JSON-RPC itself
        }
    }

    /** The request with its body already read. */
    private static final class CachedBody extends HttpServletRequestWrapper {

        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body was read already");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }

    /** Notes the session id the transport gives an {@code initialize} answer. */
    private static final class SessionCapture extends HttpServletResponseWrapper {

        private @Nullable String sessionId;

        SessionCapture(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setHeader(String name, String value) {
            note(name, value);
            super.setHeader(name, value);
        }

        @Override
        public void addHeader(String name, String value) {
            note(name, value);
            super.addHeader(name, value);
        }

        private void note(String name, String value) {
            if (SESSION_HEADER.equalsIgnoreCase(name)) {
                sessionId = value;
            }
        }
    }
}
