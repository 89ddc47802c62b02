package io.warden.app.demo;

import io.warden.clinical.Embedder;
import io.warden.clinical.IndexKind;
import io.warden.clinical.Modality;
import io.warden.clinical.TextItem;
import io.warden.clinical.VectorCollections;
import io.warden.clinical.VectorIndex;
import io.warden.collections.ExternalCollections;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Profile;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds the demo text collection {@value #NAME} at first start from the radiology-report sentences Warden ships
 * ({@value #RESOURCE}), embedded with the configured text model (MiniLM unless set otherwise), so that a fresh start
 * has a collection the demo agents' gateway calls answer from. Its records carry the data scope
 * {@value #DATA_SCOPE} as their {@code dataset}, which the gateway's obligations keep.
 *
 * <p>Idempotent: the digest of the shipped file and the model's name is recorded with the version built, and a
 * restart that finds that digest and the collection builds nothing. Replicas that start together build once (an
 * advisory lock). It runs before readiness, after {@link DemoData}: building the 360 sentences takes about a
 * second on a CPU, and the README's first call must find the collection. Where retrieval runs on remote nodes no
 * collection is built here.
 */
@Component
@ConditionalOnProperty(name = "warden.demo.enabled", havingValue = "true")
@Profile("!prod")
@Order(110)
class DemoCollection implements ApplicationRunner {

    static final String NAME = "demo-radiology-findings";
    static final String DATA_SCOPE = "radiology-reports-deid";
    static final String RESOURCE = "demo/radiology-findings.ndjson";

    private static final Logger log = LoggerFactory.getLogger(DemoCollection.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ObjectProvider<VectorCollections> collections;
    private final ObjectProvider<Embedder> embedders;
    private final ExternalCollections catalog;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;

    DemoCollection(
            ObjectProvider<VectorCollections> collections,
            ObjectProvider<Embedder> embedders,
            ExternalCollections catalog,
            JdbcClient jdbc,
            TransactionTemplate transactions,
            Clock clock) {
        this.collections = collections;
        this.embedders = embedders;
        this.catalog = catalog;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clock = clock;
    }

    @Override
    public void run(ApplicationArguments args) {
        VectorCollections local = collections.getIfUnique();
        Embedder embedder = embedders.getIfUnique();
        if (local == null || embedder == null) {
            log.info("Demo collection {} not built: retrieval runs on remote nodes", NAME);
            return;
        }
        byte[] source = read();
        String digest = digest(source, embedder.modelName());
        transactions.executeWithoutResult(status -> {
            jdbc.sql("select pg_advisory_xact_lock(hashtext('warden.demo.collections'))")
                    .query(Object.class)
                    .single();
            Optional<String> built = jdbc.sql("select source_digest from demo_collection where name = :name")
                    .param("name", NAME)
                    .query(String.class)
                    .optional();
            Optional<VectorIndex> current = local.find(NAME);
            if (built.filter(digest::equals).isPresent() && current.isPresent()) {
                catalogue(embedder, current.get()); // a database from before the catalog gets its entry
                return;
            }
            long started = System.nanoTime();
            List<TextItem> items = items(source);
            VectorIndex index =
                    local.replace(NAME, IndexKind.FLAT, embedder.dimension(), TextItem.records(embedder, items));
            jdbc.sql("""
                    insert into demo_collection (name, source_digest, collection_version, items, built_at)
                    values (:name, :digest, :version, :items, :now)
                    on conflict (name) do update set source_digest = excluded.source_digest,
                        collection_version = excluded.collection_version, items = excluded.items,
                        built_at = excluded.built_at""")
                    .param("name", NAME)
                    .param("digest", digest)
                    .param("version", index.version())
                    .param("items", items.size())
                    .param("now", Timestamp.from(clock.instant()))
                    .update();
            catalogue(embedder, index);
            log.info(
                    "Built demo collection {} version {}: {} sentences embedded with {} in {} ms",
                    NAME,
                    index.version(),
                    items.size(),
                    embedder.modelName(),
                    (System.nanoTime() - started) / 1_000_000);
        });
    }

    /** Enters the version into the collection catalog, which the gateway reads before every search (idempotent). */
    private void catalogue(Embedder embedder, VectorIndex index) {
        catalog.published(new ExternalCollections.Published(
                NAME,
                "Demo radiology findings",
                DATA_SCOPE,
                Modality.TEXT,
                embedder.modelName(),
                IndexKind.FLAT,
                embedder.dimension(),
                index.version(),
                "system:warden"));
    }

    /** The shipped sentences, each with its metadata and the data scope its records belong to. */
    static List<TextItem> items(byte[] source) {
        List<TextItem> items = new ArrayList<>();
        for (String line : new String(source, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode item = JSON.readTree(line);
            Map<String, String> metadata = new HashMap<>();
            item.get("metadata")
                    .properties()
                    .forEach(field ->
                            metadata.put(field.getKey(), field.getValue().asString()));
            metadata.put("dataset", DATA_SCOPE);
            items.add(new TextItem(item.get("id").asString(), item.get("text").asString(), metadata));
        }
        return items;
    }

    static byte[] read() {
        try (InputStream in = new ClassPathResource(RESOURCE).getInputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("The demo data " + RESOURCE + " cannot be read", e);
        }
    }

    private static String digest(byte[] source, String model) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source);
            sha.update(model.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
