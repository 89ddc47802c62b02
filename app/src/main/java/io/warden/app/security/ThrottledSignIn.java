package io.warden.app.security;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.web.util.HtmlUtils;

/**
 * The sign-in form's password check behind {@link SignInThrottle}: while the account or the client's address
 * waits, the attempt is refused before the password is looked at (a right password then proves nothing to a
 * guesser), with a message saying how long to wait. The address is the request's remote address: the TCP peer,
 * or the client a trusted proxy names when {@code server.forward-headers-strategy} is set (see docs/security.md).
 */
final class ThrottledSignIn implements AuthenticationProvider {

    /** The refusal during a wait; it says how long, never whether the account exists. */
    static final class Throttled extends AuthenticationException {
        private final long seconds;

        Throttled(Duration wait) {
            this(Math.max(1, wait.toSeconds() + (wait.toMillisPart() > 0 ? 1 : 0)));
        }

        private Throttled(long seconds) {
            super("Too many failed sign-ins from this account or address. Try again in " + seconds + " seconds.");
            this.seconds = seconds;
        }

        long seconds() {
            return seconds;
        }
    }

    /**
     * The sign-in form's failures: a refusal during a wait is answered at once with 429, {@code Retry-After} and
     * a page that says how long (the default page says only "Invalid credentials"); any other failure goes back
     * to the form as before.
     */
    static AuthenticationFailureHandler failures() {
        AuthenticationFailureHandler form = new SimpleUrlAuthenticationFailureHandler("/login?error");
        return (request, response, exception) -> {
            if (!(exception instanceof Throttled throttled)) {
                form.onAuthenticationFailure(request, response, exception);
                return;
            }
            response.setStatus(429);
            response.setHeader("Retry-After", Long.toString(throttled.seconds()));
            response.setContentType("text/html;charset=UTF-8");
            response.getWriter()
                    .write(
                            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in paused</title>"
                                    + "</head><body><h1>Sign-in paused</h1><p id=\"throttled\">"
                                    + HtmlUtils.htmlEscape(
                                            Objects.requireNonNullElse(throttled.getMessage(), "Try again later."))
                                    + "</p><p><a href=\"/login\">Back to sign-in</a></p></body></html>");
        };
    }

    private final AuthenticationProvider passwords;
    private final SignInThrottle throttle;

    ThrottledSignIn(AuthenticationProvider passwords, SignInThrottle throttle) {
        this.passwords = passwords;
        this.throttle = throttle;
    }

    @Override
    public @Nullable Authentication authenticate(Authentication attempt) {
        String username = attempt.getName();
        String address = address(attempt);
        var wait = throttle.waitFor(username, address);
        if (wait.isPresent()) {
            throw new Throttled(wait.get());
        }
        try {
            Authentication authenticated = passwords.authenticate(attempt);
            throttle.succeeded(username);
            return authenticated;
        } catch (AuthenticationException e) {
            throttle.failed(username, address, e instanceof DisabledException ? "ACCOUNT_DISABLED" : "BAD_CREDENTIALS");
            throw e;
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }

    private static @Nullable String address(Authentication attempt) {
        return attempt.getDetails() instanceof WebAuthenticationDetails details ? details.getRemoteAddress() : null;
    }
}
