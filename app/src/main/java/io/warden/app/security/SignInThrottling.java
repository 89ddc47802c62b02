package io.warden.app.security;

import io.warden.audit.AuditLog;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;

/** The embedded provider's sign-in throttle, and the hourly sweep of forgotten failures. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "warden.identity.provider", havingValue = "embedded", matchIfMissing = true)
class SignInThrottling {

    private static final Logger log = LoggerFactory.getLogger(SignInThrottling.class);

    @Bean
    SignInThrottle signInThrottle(JdbcClient jdbc, AuditLog audit, HardeningProperties hardening, Clock clock) {
        return new SignInThrottle(jdbc, audit, hardening.signIn(), clock);
    }

    @Bean
    Sweep signInThrottleSweep(SignInThrottle throttle) {
        return new Sweep(throttle);
    }

    /** Each replica sweeps; the delete is idempotent, so they need not agree on who does. */
    static final class Sweep {
        private final SignInThrottle throttle;

        Sweep(SignInThrottle throttle) {
            this.throttle = throttle;
        }

        @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT5M")
        void run() {
            int forgotten = throttle.forgetOld();
            if (forgotten > 0) {
                log.debug("Forgot the failed sign-ins of {} accounts and addresses", forgotten);
            }
        }
    }
}
