package io.warden.registry.internal;

import io.warden.registry.DataSourceKind;
import io.warden.registry.DataSourceView;
import io.warden.registry.DataSources;
import io.warden.registry.RegistryException;
import io.warden.registry.SensitivityLabel;
import io.warden.registry.events.DataSourceChanged;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The data-source catalogue in PostgreSQL ({@code data_source}). Each change publishes a {@link DataSourceChanged}
 * in its transaction, which the audit trail records through the event publication registry, so a change and its
 * audit record are never separated. Where no {@link DataSources.Locations} is defined every location is refused:
 * a source that nothing confines must not be registered.
 */
@Service
@Transactional
class PostgresDataSources implements DataSources {

    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
    private static final String SELECT = """
            select s.*, d.sensitivity, d.phi from data_source s join data_scope d on d.key = s.scope_key""";

    private final JdbcClient jdbc;
    private final ObjectProvider<Locations> locations;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    PostgresDataSources(
            JdbcClient jdbc, ObjectProvider<Locations> locations, ApplicationEventPublisher events, Clock clock) {
        this.jdbc = jdbc;
        this.locations = locations;
        this.events = events;
        this.clock = clock;
    }

    @Transactional(readOnly = true)
    @Override
    public List<DataSourceView> list() {
        return jdbc.sql(SELECT + " order by s.key")
                .query(PostgresDataSources::row)
                .list();
    }

    @Transactional(readOnly = true)
    @Override
    public Optional<DataSourceView> find(String key) {
        return jdbc.sql(SELECT + " where s.key = ?")
                .param(key)
                .query(PostgresDataSources::row)
                .optional();
    }

    @Override
    public DataSourceView create(String key, Save source, String actorId) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new RegistryException.InvalidField(
                    "key", "A key is 2 to 63 lower-case letters, digits and '-', starting with a letter or digit");
        }
        String location = checked(key, source);
        Instant now = clock.instant();
        try {
            jdbc.sql("""
                    insert into data_source (key, display_name, kind, location, scope_key, created_at, updated_at, version)
                    values (?, ?, ?, ?, ?, ?, ?, 1)""")
                    .params(
                            key,
                            source.displayName().strip(),
                            source.kind().name(),
                            location,
                            source.scopeKey(),
                            Timestamp.from(now),
                            Timestamp.from(now))
                    .update();
        } catch (DuplicateKeyException e) {
            throw duplicate(key, location);
        }
        DataSourceView created = find(key).orElseThrow();
        events.publishEvent(new DataSourceChanged(key, null, created, actorId, now));
        return created;
    }

    @Override
    public DataSourceView update(String key, Save source, long version, String actorId) {
        DataSourceView before = find(key).orElseThrow(() -> new RegistryException.NotFound("data-source", key));
        String location = checked(key, source);
        Instant now = clock.instant();
        int updated;
        try {
            updated = jdbc.sql("""
                    update data_source set display_name = ?, kind = ?, location = ?, scope_key = ?, updated_at = ?, version = version + 1
                    where key = ? and version = ?""")
                    .params(
                            source.displayName().strip(),
                            source.kind().name(),
                            location,
                            source.scopeKey(),
                            Timestamp.from(now),
                            key,
                            version)
                    .update();
        } catch (DuplicateKeyException e) {
            throw duplicate(key, location);
        }
        if (updated != 1) {
            throw new RegistryException.StaleVersion("data source", key, version, before.version());
        }
        DataSourceView after = find(key).orElseThrow();
        events.publishEvent(new DataSourceChanged(key, before, after, actorId, now));
        return after;
    }

    @Override
    public void delete(String key, long version, String actorId) {
        DataSourceView before = find(key).orElseThrow(() -> new RegistryException.NotFound("data-source", key));
        if (jdbc.sql("delete from data_source where key = ? and version = ?")
                        .params(key, version)
                        .update()
                != 1) {
            throw new RegistryException.StaleVersion("data source", key, version, before.version());
        }
        events.publishEvent(new DataSourceChanged(key, before, null, actorId, clock.instant()));
    }

    private String checked(String key, Save source) {
        if (source.displayName() == null
                || source.displayName().isBlank()
                || source.displayName().length() > 200) {
            throw new RegistryException.InvalidField("displayName", "A display name is 1 to 200 characters");
        }
        if (source.kind() == null) {
            throw new RegistryException.InvalidField("kind", "The kind is FOLDER or DICOMWEB");
        }
        if (source.location() == null
                || source.location().isBlank()
                || source.location().length() > 1000) {
            throw new RegistryException.InvalidField("location", "A location is 1 to 1000 characters");
        }
        if (source.scopeKey() == null
                || jdbc.sql("select count(*) from data_scope where key = ?")
                                .param(source.scopeKey())
                                .query(Integer.class)
                                .single()
                        == 0) {
            throw new RegistryException.InvalidField("scopeKey", "No data scope '" + source.scopeKey() + "'");
        }
        Locations check = locations.getIfAvailable();
        if (check == null) {
            throw new RegistryException.InvalidField(
                    "location",
                    "This instance reads no data sources (no archive roots or DICOMweb" + " servers are configured)");
        }
        String location = check.check(source.kind(), source.location());
        if (source.kind() == DataSourceKind.FOLDER) {
            // a folder inside another source's folder is read by both: they must belong to the same scope, or a builder
            // holding the outer one's scope would read the inner one's records
            for (DataSourceView other : list()) {
                if (other.kind() == DataSourceKind.FOLDER
                        && !other.key().equals(key)
                        && !other.scopeKey().equals(source.scopeKey())
                        && (Path.of(location).startsWith(other.location())
                                || Path.of(other.location()).startsWith(location))) {
                    throw new RegistryException.InvalidField(
                            "location",
                            "The folder overlaps data source '" + other.key()
                                    + "', which is bound to another data scope (" + other.scopeKey() + ")");
                }
            }
        }
        return location;
    }

    private RegistryException duplicate(String key, String location) {
        boolean keyTaken = jdbc.sql("select count(*) from data_source where key = ?")
                        .param(key)
                        .query(Integer.class)
                        .single()
                > 0;
        return keyTaken
                ? new RegistryException.AlreadyExists("key", "A data source with key '" + key + "' already exists")
                : new RegistryException.AlreadyExists("location", "Another data source is registered at this location");
    }

    private static DataSourceView row(ResultSet rs, int n) throws SQLException {
        return new DataSourceView(
                rs.getString("key"),
                rs.getString("display_name"),
                DataSourceKind.valueOf(rs.getString("kind")),
                rs.getString("location"),
                rs.getString("scope_key"),
                SensitivityLabel.valueOf(rs.getString("sensitivity")),
                rs.getBoolean("phi"),
                rs.getLong("version"));
    }

    static @Nullable String describe(@Nullable DataSourceView source) {
        return source == null
                ? null
                : source.kind() + " " + source.location() + " scope=" + source.scopeKey() + " name="
                        + source.displayName() + " v" + source.version();
    }
}
