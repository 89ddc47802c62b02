package io.warden.app.web;

import io.warden.audit.problem.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses request bodies over the configured limit with 413 problem+json: at once when the declared
 * {@code Content-Length} is too large, and while reading when a chunked body grows past it. A collection upload
 * ({@code POST /api/v1/collections/{name}/uploads}, streamed to storage by its controller) has its own, larger limit.
 */
final class RequestBodyLimitFilter extends OncePerRequestFilter {

    /** The one path whose body may be large: a collection's upload, a single path segment for the name. */
    private static final String UPLOADS_PREFIX = "/api/v1/collections/";

    private static final String UPLOADS_SUFFIX = "/uploads";

    private final long limit;
    private final long uploadLimit;
    private final JsonMapper json;

    RequestBodyLimitFilter(long limit, long uploadLimit, JsonMapper json) {
        if (limit < 1) {
            throw new IllegalArgumentException("warden.http.max-body-size must be positive, got " + limit);
        }
        if (uploadLimit < limit) {
            throw new IllegalArgumentException(
                    "warden.http.max-upload-size must be at least warden.http.max-body-size");
        }
        this.limit = limit;
        this.uploadLimit = uploadLimit;
        this.json = json;
    }

    static boolean upload(HttpServletRequest request) {
        String path = request.getRequestURI();
        if (!"POST".equals(request.getMethod()) || !path.startsWith(UPLOADS_PREFIX) || !path.endsWith(UPLOADS_SUFFIX)) {
            return false;
        }
        String name = path.substring(UPLOADS_PREFIX.length(), path.length() - UPLOADS_SUFFIX.length());
        return !name.isEmpty() && name.indexOf('/') < 0 && name.indexOf(';') < 0 && name.indexOf('%') < 0;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = upload(request) ? uploadLimit : this.limit;
        if (request.getContentLengthLong() > limit) {
            response.setHeader("Connection", "close");
            Problems.write(response, Problems.of(new PayloadTooLarge(limit)), json);
            return;
        }
        chain.doFilter(new LimitedRequest(request, limit), response);
    }

    private static final class LimitedRequest extends HttpServletRequestWrapper {

        private final long limit;
        private @Nullable ServletInputStream stream;

        LimitedRequest(HttpServletRequest request, long limit) {
            super(request);
            this.limit = limit;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                stream = new CountingStream(super.getInputStream(), limit);
            }
            return stream;
        }
    }

    private static final class CountingStream extends ServletInputStream {

        private final ServletInputStream delegate;
        private final long limit;
        private long count;

        CountingStream(ServletInputStream delegate, long limit) {
            this.delegate = delegate;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = delegate.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = delegate.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(long n) {
            count += n;
            if (count > limit) {
                throw new PayloadTooLarge(limit);
            }
        }

        @Override
        public boolean isFinished() {
            return delegate.isFinished();
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            delegate.setReadListener(listener);
        }
    }
}
