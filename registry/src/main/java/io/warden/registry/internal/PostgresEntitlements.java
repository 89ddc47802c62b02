package io.warden.registry.internal;

import static io.warden.registry.internal.SqlArrays.timestamp;
import static io.warden.registry.internal.SqlArrays.toArray;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.registry.Actor;
import io.warden.registry.DataScopeView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryGroup;
import io.warden.registry.DirectoryUser;
import io.warden.registry.Entitlement;
import io.warden.registry.Entitlements;
import io.warden.registry.EntitlementsUnavailable;
import io.warden.registry.GroupEntitlementView;
import io.warden.registry.GroupEntitlements;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.RegistryException;
import io.warden.registry.Role;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.IdGenerator;

/**
 * Group entitlements kept in PostgreSQL ({@code group_entitlement}), and people's entitlements computed from
 * them and the {@link Directory}'s answer on group membership, transitive membership included. Each change is
 * written and audited in one transaction: when the audit log cannot write, the change is rolled back.
 */
@Service
@Transactional
class PostgresEntitlements implements Entitlements, GroupEntitlements {

    private final JdbcClient jdbc;
    private final Directory directory;
    private final CatalogRepository catalog;
    private final AuditLog audit;
    private final Clock clock;
    private final IdGenerator ids;

    PostgresEntitlements(
            JdbcClient jdbc,
            Directory directory,
            CatalogRepository catalog,
            AuditLog audit,
            Clock clock,
            IdGenerator ids) {
        this.jdbc = jdbc;
        this.directory = directory;
        this.catalog = catalog;
        this.audit = audit;
        this.clock = clock;
        this.ids = ids;
    }

    @Override
    public Entitlement entitlement(String personId) {
        List<DirectoryGroup> groups;
        try {
            Optional<DirectoryUser> person = directory.findUser(personId);
            if (person.isEmpty()
                    || !person.get().accountEnabled()
                    || person.get().deleted()) {
                return Entitlement.none(personId); // a disabled account keeps its groups but reads nothing
            }
            groups = directory.groupsOf(personId);
        } catch (RuntimeException e) {
            throw new EntitlementsUnavailable(personId, e);
        }
        if (groups.isEmpty()) {
            return Entitlement.none(personId);
        }
        SortedMap<String, SortedSet<PurposeOfUse>> scopes = new TreeMap<>();
        try {
            // a purpose the scope no longer allows is dropped here, so narrowing a scope narrows every grant on it
            jdbc.sql("""
                    select e.scope_key, p.purpose
                    from group_entitlement e join data_scope s on s.key = e.scope_key
                         cross join lateral unnest(e.purposes) as p(purpose)
                    where e.group_id = any(:groups) and p.purpose = any(s.allowed_purposes)""")
                    .param("groups", groups.stream().map(DirectoryGroup::id).toArray(String[]::new))
                    .query((rs, row) -> scopes.computeIfAbsent(rs.getString(1), key -> new TreeSet<>())
                            .add(PurposeOfUse.valueOf(rs.getString(2))))
                    .list();
        } catch (RuntimeException e) {
            throw new EntitlementsUnavailable(personId, e);
        }
        return new Entitlement(personId, scopes, groups);
    }

    @Transactional(readOnly = true)
    @Override
    public List<GroupEntitlementView> list() {
        return jdbc.sql(SELECT + " order by e.group_name, e.group_id, s.display_name, e.scope_key")
                .query(PostgresEntitlements::map)
                .list();
    }

    @Transactional(readOnly = true)
    @Override
    public GroupEntitlementView find(UUID id) {
        return findOptional(id).orElseThrow(() -> new RegistryException.NotFound("group-entitlement", id));
    }

    @Override
    public GroupEntitlementView create(Grant grant, Actor actor) {
        requireAdmin(actor);
        DataScopeView scope = catalog.findScope(grant.scope())
                .orElseThrow(() ->
                        new RegistryException.InvalidField("scope", "No data scope with key '" + grant.scope() + "'"));
        requireAllowed(scope, grant.purposes());
        DirectoryGroup group;
        try {
            group = directory
                    .findGroup(grant.groupId())
                    .orElseThrow(() -> new RegistryException.InvalidField(
                            "groupId", "No group with id '" + grant.groupId() + "' in the directory"));
        } catch (RegistryException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RegistryException.Conflict(
                    "directory-unavailable",
                    "The directory cannot be read now, so group " + grant.groupId() + " cannot be checked; try again");
        }
        UUID id = ids.generateId();
        Instant now = clock.instant();
        try {
            jdbc.sql("""
                    insert into group_entitlement (id, group_id, group_name, scope_key, purposes, created_at, updated_at,
                        updated_by, version)
                    values (:id, :group, :name, :scope, :purposes, :now, :now, :actor, 1)""")
                    .param("id", id)
                    .param("group", group.id())
                    .param("name", group.displayName())
                    .param("scope", scope.key())
                    .param("purposes", toArray(grant.purposes()))
                    .param("now", timestamp(now))
                    .param("actor", actor.id())
                    .update();
        } catch (DuplicateKeyException e) {
            throw new RegistryException.AlreadyExists(
                    "scope",
                    "Group '" + group.displayName() + "' already has an entitlement on " + scope.key()
                            + "; change that one");
        }
        GroupEntitlementView created = find(id);
        record("group_entitlement.created", actor, created, null);
        return created;
    }

    @Override
    public GroupEntitlementView update(UUID id, SortedSet<PurposeOfUse> purposes, long version, Actor actor) {
        requireAdmin(actor);
        GroupEntitlementView old = find(id);
        requireAllowed(catalog.findScope(old.scope()).orElseThrow(), purposes);
        int updated = jdbc.sql("""
                update group_entitlement set purposes = :purposes, updated_at = :now, updated_by = :actor,
                    version = version + 1
                where id = :id and version = :version""")
                .param("purposes", toArray(purposes))
                .param("now", timestamp(clock.instant()))
                .param("actor", actor.id())
                .param("id", id)
                .param("version", version)
                .update();
        if (updated != 1) {
            throw new RegistryException.StaleVersion("group entitlement", id, version, find(id).version());
        }
        GroupEntitlementView saved = find(id);
        record("group_entitlement.updated", actor, saved, old);
        return saved;
    }

    @Override
    public void delete(UUID id, long version, Actor actor) {
        requireAdmin(actor);
        GroupEntitlementView old = find(id);
        int deleted = jdbc.sql("delete from group_entitlement where id = :id and version = :version")
                .param("id", id)
                .param("version", version)
                .update();
        if (deleted != 1) {
            throw new RegistryException.StaleVersion("group entitlement", id, version, find(id).version());
        }
        record("group_entitlement.deleted", actor, null, old);
    }

    private Optional<GroupEntitlementView> findOptional(UUID id) {
        return jdbc.sql(SELECT + " where e.id = :id")
                .param("id", id)
                .query(PostgresEntitlements::map)
                .optional();
    }

    private static void requireAdmin(Actor actor) {
        if (!actor.has(Role.ADMIN)) {
            throw new RegistryException.AccessRuleViolated(
                    "admin-manages-entitlements", "Only an ADMIN changes group entitlements");
        }
    }

    private static void requireAllowed(DataScopeView scope, SortedSet<PurposeOfUse> purposes) {
        if (purposes.isEmpty()) {
            throw new RegistryException.InvalidField("purposes", "Name at least one purpose of use");
        }
        SortedSet<PurposeOfUse> refused = new TreeSet<>(purposes);
        refused.removeAll(scope.allowedPurposes());
        if (!refused.isEmpty()) {
            throw new RegistryException.InvalidField(
                    "purposes",
                    "Data scope " + scope.key() + " does not allow " + refused + "; it allows "
                            + scope.allowedPurposes());
        }
    }

    /** Old and new purposes go into the record, so the trail alone says what a change took away or gave. */
    private void record(
            String action, Actor actor, @Nullable GroupEntitlementView now, @Nullable GroupEntitlementView before) {
        GroupEntitlementView any = now != null ? now : Objects.requireNonNull(before);
        audit.append(AuditEvent.builder(
                        action,
                        AuditActor.person(actor.id()),
                        new AuditTarget("group-entitlement", any.id().toString()))
                .dataset(any.scope())
                .detail("group", any.groupId())
                .detail("groupName", any.groupName())
                .detail("oldPurposes", before == null ? "" : join(before.purposes()))
                .detail("newPurposes", now == null ? "" : join(now.purposes()))
                .detail("version", now == null ? "" : String.valueOf(now.version()))
                .build());
    }

    private static String join(SortedSet<PurposeOfUse> purposes) {
        return purposes.stream().map(Enum::name).collect(Collectors.joining(","));
    }

    private static final String SELECT = """
            select e.id, e.group_id, e.group_name, e.scope_key, s.display_name as scope_name, e.purposes, e.updated_at,
                   e.updated_by, e.version
            from group_entitlement e join data_scope s on s.key = e.scope_key""";

    private static GroupEntitlementView map(ResultSet rs, int row) throws SQLException {
        return new GroupEntitlementView(
                rs.getObject("id", UUID.class),
                rs.getString("group_id"),
                rs.getString("group_name"),
                rs.getString("scope_key"),
                rs.getString("scope_name"),
                SqlArrays.purposes(rs, "purposes"),
                SqlArrays.requiredInstant(rs, "updated_at"),
                rs.getString("updated_by"),
                rs.getLong("version"));
    }
}
