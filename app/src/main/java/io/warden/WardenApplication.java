package io.warden;

import io.warden.audit.ExportVerifier;
import io.warden.clinical.Evaluation;
import java.util.Arrays;
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
@Modulithic(
        systemName = "Warden",
        sharedModules = {})
public class WardenApplication {

    /**
     * Starts Warden; {@code verify-export [--trust sha256:...] --public-key KEY.pem FILE} instead verifies an exported audit
     * file offline, and {@code evaluate ...} reports retrieval quality on labelled vectors, without starting
     * anything.
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("verify-export")) {
            System.exit(ExportVerifier.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        if (args.length > 0 && args[0].equals("evaluate")) {
            System.exit(Evaluation.command(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
        }
        SpringApplication.run(WardenApplication.class, args);
    }
}
