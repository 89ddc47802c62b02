package io.warden.policy.internal.web;

import io.warden.audit.problem.Problems;
import io.warden.policy.internal.GatewayService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.Principal;
import java.util.Comparator;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.stereotype.Component;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.ModelAndView;
import tools.jackson.core.JacksonException;

/**
 * Audits a gateway call refused because its body could not be read or failed validation — the one refusal that
 * happens before the gateway's pipeline sees the call — and then lets the application's problem rendering answer
 * it as for any other endpoint (this resolver never resolves). The record goes through the same bounded-rate path
 * as the gateway's other repeatable refusals, and names the offending field.
 */
@Component
class InvalidCallAudit implements HandlerExceptionResolver, Ordered {

    private static final Logger log = LoggerFactory.getLogger(InvalidCallAudit.class);

    private final GatewayService gateway;

    InvalidCallAudit(GatewayService gateway) {
        this.gateway = gateway;
    }

    @Override
    public @Nullable ModelAndView resolveException(
            HttpServletRequest request, HttpServletResponse response, @Nullable Object handler, Exception e) {
        if (!(handler instanceof HandlerMethod method)
                || (method.getBeanType() != GatewayController.class
                        && method.getBeanType() != GatewayToolsController.class)) {
            return null;
        }
        Principal principal = request.getUserPrincipal();
        if (principal == null) {
            return null; // not authenticated: nothing to attribute the refusal to (the security chain answers 401
            // first)
        }
        String field;
        String dataset = null;
        String purpose = null;
        if (e instanceof MethodArgumentNotValidException invalid) {
            field = invalid.getBindingResult().getFieldErrors().stream()
                    .map(FieldError::getField)
                    .min(Comparator.naturalOrder())
                    .orElse("(body)");
            if (invalid.getBindingResult().getTarget() instanceof GatewayController.Call call) {
                dataset = call.dataset();
                purpose = call.purposeOfUse();
            } else if (invalid.getBindingResult().getTarget() instanceof GatewayToolsController.Call call) {
                dataset = call.dataset();
                purpose = call.purposeOfUse();
            }
        } else if (e instanceof HttpMessageNotReadableException unreadable) {
            field = unreadable.getMostSpecificCause() instanceof JacksonException jackson
                    ? Problems.fieldPath(jackson)
                    : "(body)";
        } else if (e instanceof HttpMediaTypeException) {
            field = "Content-Type";
        } else {
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, String> variables =
                (Map<String, String>) request.getAttribute(HandlerMapping.URI_TEMPLATE_VARIABLES_ATTRIBUTE);
        String tool = variables == null ? "unknown" : variables.getOrDefault("tool", "unknown");
        try {
            gateway.refusedInvalid(
                    principal.getName(),
                    tool.length() <= 63 ? tool : tool.substring(0, 63),
                    clip(dataset),
                    clip(purpose),
                    field);
        } catch (RuntimeException failure) {
            // The call is refused either way; a refusal that could not be recorded is logged loudly, not answered with
            // 500.
            log.error("Could not audit the refusal of an invalid {} call by {}", tool, principal.getName(), failure);
        }
        return null;
    }

    private static @Nullable String clip(@Nullable String value) {
        return value == null || value.length() <= 63 ? value : value.substring(0, 63);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
