package io.warden.policy.internal.web;

import io.warden.policy.Propagation;
import io.warden.policy.internal.PolicyChanges;
import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Tells the caller of any API request that changed what agents may do how far the change had reached when the
 * answer was sent: {@code Warden-Propagation: confirmed=N; unconfirmed=M; waited-ms=T} and, when some live
 * instance had not confirmed it, {@code Warden-Unconfirmed-Instances} with their names. Those instances apply the
 * change as soon as they hear of it or reconcile.
 */
@ControllerAdvice
class PropagationHeaders implements ResponseBodyAdvice<Object> {

    static final String PROPAGATION = "Warden-Propagation";
    static final String UNCONFIRMED = "Warden-Unconfirmed-Instances";

    static void write(HttpHeaders headers, Propagation propagation) {
        headers.set(
                PROPAGATION,
                "confirmed=" + propagation.confirmed().size() + "; unconfirmed="
                        + propagation.unconfirmed().size() + "; waited-ms="
                        + propagation.waited().toMillis());
        if (!propagation.everywhere()) {
            headers.set(UNCONFIRMED, String.join(", ", propagation.unconfirmed()));
        }
    }

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public @Nullable Object beforeBodyWrite(
            @Nullable Object body,
            MethodParameter returnType,
            MediaType contentType,
            Class<? extends HttpMessageConverter<?>> converterType,
            ServerHttpRequest request,
            ServerHttpResponse response) {
        if (request instanceof ServletServerHttpRequest servlet
                && !response.getHeaders().containsHeader(PROPAGATION)) {
            HttpServletRequest http = servlet.getServletRequest();
            if (http.getAttribute(PolicyChanges.PROPAGATION) instanceof Propagation propagation) {
                write(response.getHeaders(), propagation);
            }
        }
        return body;
    }
}
