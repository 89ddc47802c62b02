package io.warden.audit.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.warden.audit.AuditNames;
import io.warden.audit.internal.anchoring.AnchoringProperties;
import io.warden.audit.internal.anchoring.CheckpointAnchorer;
import io.warden.audit.internal.anchoring.HttpTimeStampAuthority;
import io.warden.audit.internal.anchoring.TimeStampAuthority;
import io.warden.audit.internal.anchoring.TimestampVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.IdGenerator;
import org.springframework.util.JdkIdGenerator;

/**
 * Wires the audit log: its signing key (configured or generated), the published keys, and the PostgreSQL writer,
 * reads, verifier and exporter.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({AuditProperties.class, AnchoringProperties.class, RetentionProperties.class})
class AuditConfiguration {

    @Bean
    SigningKeys.SigningKey auditSigningKey(AuditProperties properties) {
        if (properties.keystore() != null) {
            var keystore = properties.keystore();
            return SigningKeys.fromKeystore(keystore.path(), keystore.password().toCharArray(), keystore.alias());
        }
        if (properties.signingKey() != null && properties.signingPublicKey() != null) {
            return SigningKeys.fromPem(properties.signingKey(), properties.signingPublicKey());
        }
        return SigningKeys.generatedIn(properties.keyDir());
    }

    /** The keys /audit/keys serves and verification trusts: from configuration only, never from the database. */
    @Bean
    PublishedKeys publishedAuditKeys(SigningKeys.SigningKey auditSigningKey, AuditProperties properties) {
        return new PublishedKeys(auditSigningKey, trusted(properties));
    }

    /** The writer: the queue, the group commit, the chain and the checkpoints it signs. */
    @Bean
    @DependsOnDatabaseInitialization
    PostgresAuditLog auditLog(
            DataSource dataSource,
            Clock clock,
            SigningKeys.SigningKey auditSigningKey,
            AuditProperties properties,
            ObjectProvider<MeterRegistry> meterRegistry,
            ObjectProvider<Tracer> tracer) {
        // without the application's registry (a module's own tests) the meters are kept and read by nobody
        return new PostgresAuditLog(
                dataSource,
                clock,
                auditSigningKey,
                properties,
                meterRegistry.getIfAvailable(SimpleMeterRegistry::new),
                tracer.getIfAvailable(() -> Tracer.NOOP));
    }

    /** Searches, single records, the head and the aggregates over the trail. */
    @Bean
    PostgresAuditTrail auditTrail(DataSource dataSource) {
        return new PostgresAuditTrail(dataSource);
    }

    /**
     * Verification trusts the published keys and the configured time-stamp authorities only: those come from
     * configuration, never from the database.
     */
    @Bean
    PostgresAuditVerifier auditVerifier(
            DataSource dataSource,
            PublishedKeys publishedAuditKeys,
            AuditProperties properties,
            AnchoringProperties anchoring) {
        return new PostgresAuditVerifier(
                dataSource, publishedAuditKeys.keys(), properties, timestampVerifier(anchoring));
    }

    /**
     * Time-stamps checkpoints after they commit; with no authority configured it reports anchoring off. The
     * checkpoint it has signed every {@code every} goes through the audit log's own timer path, never the writer's.
     */
    @Bean
    CheckpointAnchorer auditAnchoring(
            DataSource dataSource,
            Clock clock,
            PostgresAuditLog auditLog,
            AnchoringProperties anchoring,
            ObjectProvider<MeterRegistry> meterRegistry) {
        TimestampVerifier verifier = timestampVerifier(anchoring);
        SecureRandom nonces = new SecureRandom();
        List<TimeStampAuthority> authorities = verifier == null
                ? List.of()
                : anchoring.tsaUrls().stream()
                        .<TimeStampAuthority>map(
                                url -> new HttpTimeStampAuthority(url, anchoring.timeout(), verifier, nonces))
                        .toList();
        return new CheckpointAnchorer(
                dataSource,
                clock,
                authorities,
                () -> auditLog.checkpointIfOlderThan(Duration.ZERO),
                anchoring,
                meterRegistry.getIfAvailable(SimpleMeterRegistry::new));
    }

    private static @Nullable TimestampVerifier timestampVerifier(AnchoringProperties anchoring) {
        if (anchoring.tsaCertificates().isEmpty()) {
            return null;
        }
        try {
            return new TimestampVerifier(
                    TimestampVerifier.readCertificates(anchoring.tsaCertificates()), anchoring.maxDelay());
        } catch (IOException e) {
            throw new IllegalStateException("warden.audit.anchoring.tsa-certificates: " + e.getMessage(), e);
        }
    }

    @Bean
    AuditExporter auditExporter(
            DataSource dataSource, SigningKeys.SigningKey auditSigningKey, ObjectProvider<AuditNames> names) {
        // the names come from the registry when it is there (the audit module alone exports ids only), looked up when
        // an
        // export asks, so that the exporter does not pull the registry's beans into its own creation
        AuditNames lazy = new AuditNames() {
            @Override
            public @Nullable String person(String id) {
                AuditNames source = names.getIfAvailable();
                return source == null ? null : source.person(id);
            }

            @Override
            public @Nullable String agent(String id) {
                AuditNames source = names.getIfAvailable();
                return source == null ? null : source.agent(id);
            }
        };
        return new AuditExporter(dataSource, auditSigningKey, lazy);
    }

    /** Retention and legal holds; removal itself is the database's audit_remove_prefix function. */
    @Bean
    PostgresAuditRetention auditRetention(
            DataSource dataSource,
            AuditExporter auditExporter,
            PostgresAuditLog auditLog,
            Clock clock,
            RetentionProperties properties,
            ObjectProvider<IdGenerator> idGenerator) {
        return new PostgresAuditRetention(
                dataSource,
                auditExporter,
                auditLog,
                clock,
                properties,
                idGenerator.getIfAvailable(JdkIdGenerator::new));
    }

    private static Map<String, PublicKey> trusted(AuditProperties properties) {
        Map<String, PublicKey> keys = new HashMap<>();
        for (Path file : properties.trustedPublicKeys()) {
            try {
                PublicKey key = SigningKeys.publicKeyFromPem(Files.readString(file));
                keys.put(SigningKeys.keyId(key), key);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not read the trusted audit key " + file, e);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalStateException(
                        "warden.audit.trusted-public-keys: " + file + " is not an Ed25519 public key in X.509 PEM", e);
            }
        }
        return keys;
    }
}
