package io.warden.cohort.internal;

import io.warden.registry.DataSourceKind;
import io.warden.registry.DataSourceView;
import io.warden.registry.DataSources;
import io.warden.registry.RegistryException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Brings the sources that builds read before data sources existed into the catalogue, at start. First the
 * sources declared under {@code warden.cohort.sources} that are not registered yet are registered. Then every
 * earlier run (one without a data source) must be covered by a registered source bound to the run's dataset; the
 * configured archive root or DICOMweb server an uncovered run read is registered automatically when all such runs
 * of it used one data scope, and the start is refused otherwise, with a message saying what to declare. Roots that
 * no run ever read are left for an admin to register: nothing reads them until then. Idempotent; changes are
 * registered by {@code system:warden} and audited like an admin's.
 */
final class CohortSourceUpgrade {

    static final String ACTOR = "system:warden";
    private static final Logger log = LoggerFactory.getLogger(CohortSourceUpgrade.class);

    /** A run made before data sources: what it read and under which scope. */
    record EarlierRun(String id, DataSourceKind kind, String source, String dataset) {}

    private final JdbcClient jdbc;
    private final DataSources catalogue;
    private final CohortSources sources;
    private final Map<String, CohortProperties.Source> declared;

    CohortSourceUpgrade(
            JdbcClient jdbc,
            DataSources catalogue,
            CohortSources sources,
            Map<String, CohortProperties.Source> declared) {
        this.jdbc = jdbc;
        this.catalogue = catalogue;
        this.sources = sources;
        this.declared = Map.copyOf(declared);
    }

    /**
     * Registers what can be registered and ties earlier runs to their sources.
     *
     * @throws IllegalStateException naming each folder or server to declare, when a root was read under several scopes
     */
    void upgrade() {
        declared.forEach((key, source) -> {
            if (catalogue.find(key).isEmpty()) {
                catalogue.create(
                        key,
                        new DataSources.Save(
                                source.displayName() == null ? key : source.displayName(),
                                source.kind(),
                                source.location(),
                                source.scope()),
                        ACTOR);
                log.info(
                        "Registered data source {} ({} {}) from warden.cohort.sources",
                        key,
                        source.kind(),
                        source.location());
            }
        });
        List<EarlierRun> runs = jdbc.sql(
                        "select id, source_kind, source, dataset from cohort_run where source_key is null order by id")
                .query((rs, n) -> new EarlierRun(
                        rs.getString("id"),
                        DataSourceKind.valueOf(rs.getString("source_kind")),
                        rs.getString("source"),
                        rs.getString("dataset")))
                .list();
        Map<String, TreeMap<String, TreeSet<String>>> uncovered = new TreeMap<>(); // root -> folder/server -> scopes
        Map<String, DataSourceKind> kinds = new TreeMap<>();
        for (EarlierRun run : runs) {
            if (covering(run).isEmpty()) {
                // each folder a run read becomes a source of its own, never the whole archive root: a root bound to one
                // scope would let a builder holding that scope read every other folder under it
                String root =
                        run.kind() == DataSourceKind.DICOMWEB || rootOf(run).isEmpty() ? rootOf(run) : run.source();
                kinds.put(root, run.kind());
                uncovered
                        .computeIfAbsent(root, r -> new TreeMap<>())
                        .computeIfAbsent(run.source(), s -> new TreeSet<>())
                        .add(run.dataset());
            }
        }
        List<String> refusals = new ArrayList<>();
        uncovered.forEach((root, folders) -> {
            TreeSet<String> scopes = new TreeSet<>();
            folders.values().forEach(scopes::addAll);
            boolean rootTaken = catalogue.list().stream()
                    .anyMatch(source -> source.location().equals(root));
            if (scopes.size() == 1 && !root.isEmpty() && !rootTaken) {
                DataSourceKind kind = Objects.requireNonNull(kinds.get(root), "each uncovered root has its runs' kind");
                String key = freeKey(kind, root);
                try {
                    catalogue.create(
                            key, new DataSources.Save(displayName(kind, root), kind, root, scopes.first()), ACTOR);
                } catch (RegistryException e) {
                    refusals.add("Cohort runs read " + root + " under data scope " + scopes.first()
                            + ", but it cannot be registered: " + e.getMessage());
                    return;
                }
                log.info(
                        "Registered data source {} ({} {}) bound to {}, the scope earlier cohort runs read it under",
                        key,
                        kinds.get(root),
                        root,
                        scopes.first());
            } else {
                StringBuilder what = new StringBuilder();
                folders.forEach((folder, used) -> what.append("\n  ")
                        .append(folder)
                        .append(" read under ")
                        .append(used));
                refusals.add((root.isEmpty()
                                ? "Cohort runs read sources that are no longer configured"
                                : rootTaken
                                        ? "Cohort runs read " + root + " under data scopes " + scopes
                                                + " that its data source is not bound to"
                                        : "Cohort runs read " + root + " under several data scopes " + scopes)
                        + ":" + what);
            }
        });
        if (!refusals.isEmpty()) {
            throw new IllegalStateException(
                    String.join("\n", refusals) + "\nDeclare one data source per folder or server with the"
                            + " scope its records belong to, e.g. warden.cohort.sources.<key>.location=<folder or DICOMweb server name>,"
                            + " warden.cohort.sources.<key>.scope=<data scope> (and kind=DICOMWEB for a server), keeping each folder under"
                            + " warden.cohort.archive-roots; or remove the runs that read them");
        }
        for (EarlierRun run : runs) {
            covering(run)
                    .ifPresent(source -> jdbc.sql(
                                    "update cohort_run set source_key = ? where id = ? and source_key is null")
                            .params(source.key(), run.id())
                            .update());
        }
    }

    /** A registered source that holds what the run read, under the run's dataset. */
    private Optional<DataSourceView> covering(EarlierRun run) {
        return catalogue.list().stream()
                .filter(source ->
                        source.kind() == run.kind() && source.scopeKey().equals(run.dataset()))
                .filter(source -> run.kind() == DataSourceKind.DICOMWEB
                        ? source.location().equals(run.source())
                        : Path.of(run.source()).startsWith(Path.of(source.location())))
                .findFirst();
    }

    /** The configured root (real path) or server the run read; empty when configuration no longer has it. */
    private String rootOf(EarlierRun run) {
        if (run.kind() == DataSourceKind.DICOMWEB) {
            return sources.servers().contains(run.source()) ? run.source() : "";
        }
        for (Path root : sources.roots()) {
            try {
                Path real = root.toRealPath();
                if (Path.of(run.source()).startsWith(real)) {
                    return real.toString();
                }
            } catch (IOException e) {
                // a root that does not exist holds none of the runs' folders
            }
        }
        return "";
    }

    private String freeKey(DataSourceKind kind, String root) {
        String name = kind == DataSourceKind.DICOMWEB
                ? root
                : String.valueOf(Path.of(root).getFileName());
        String slug =
                name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        String base = (kind == DataSourceKind.DICOMWEB ? "dicomweb-" : "archive-") + (slug.isEmpty() ? "root" : slug);
        base = base.length() > 55 ? base.substring(0, 55) : base;
        String key = base;
        for (int i = 2; catalogue.find(key).isPresent(); i++) {
            key = base + "-" + i;
        }
        return key;
    }

    private static String displayName(DataSourceKind kind, String root) {
        return (kind == DataSourceKind.DICOMWEB ? "DICOMweb server " : "Archive ") + root;
    }
}
