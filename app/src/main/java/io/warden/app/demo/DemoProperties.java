package io.warden.app.demo;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Demo data settings, under {@code warden.demo}.
 *
 * @param enabled  seed the demo data on start (never in production)
 * @param password the password of every demo person
 */
@ConfigurationProperties("warden.demo")
public record DemoProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("warden-demo") String password) {}
