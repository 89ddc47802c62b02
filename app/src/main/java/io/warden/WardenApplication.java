package io.warden;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.modulith.Modulithic;

/**
 * Warden's Spring Boot application. Each direct sub-package of {@code io.warden} is an application module
 * (and a Maven module); {@code io.warden.app} wires them with security, the database and the embedded
 * defaults.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@Modulithic(systemName = "Warden", sharedModules = {})
public class WardenApplication {

    public static void main(String[] args) {
        SpringApplication.run(WardenApplication.class, args);
    }
}
