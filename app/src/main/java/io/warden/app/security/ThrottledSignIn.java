package io.warden.app.security;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * The sign-in form's password check behind {@link SignInThrottle}: while the account or the client's address
 * waits, the attempt is refused before the password is looked at (a right password then proves nothing to a
 * guesser), with a message saying how long to wait. The address is the request's remote address: the TCP peer,
 * or the client a trusted proxy names when {@code server.forward-headers-strategy} is set (see docs/security.md).
 */
final class ThrottledSignIn implements AuthenticationProvider {

    /** The refusal during a wait; it says how long, never whether the account exists. */
    static final class Throttled extends AuthenticationException {
        Throttled(Duration wait) {
            super("Too many failed sign-ins from this account or address. Try again in "
                    + Math.max(1, wait.toSeconds() + (wait.toMillisPart() > 0 ? 1 : 0)) + " seconds.");
        }
    }

    private final AuthenticationProvider passwords;
    private final SignInThrottle throttle;

    ThrottledSignIn(AuthenticationProvider passwords, SignInThrottle throttle) {
        this.passwords = passwords;
        this.throttle = throttle;
    }

    @Override
    public Authentication authenticate(Authentication attempt) {
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
