package io.warden.registry.internal;

import io.warden.registry.Directory;
import io.warden.registry.DirectoryGroup;
import io.warden.registry.DirectoryUser;
import io.warden.registry.EditableDirectory;
import io.warden.registry.RegistryException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The default {@link Directory}: people kept in Warden's own {@code directory_user} table. Used when no
 * Entra tenant is configured; the demo data seeds it.
 */
final class LocalDirectory implements EditableDirectory {

    private final JdbcClient jdbc;

    LocalDirectory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Map<String, DirectoryUser> findUsers(Collection<String> ids) {
        Map<String, DirectoryUser> found = new HashMap<>();
        if (!ids.isEmpty()) {
            jdbc.sql("select " + COLUMNS + " from directory_user where id = any(:ids)")
                    .param("ids", ids.toArray(String[]::new))
                    .query(LocalDirectory::map)
                    .list()
                    .forEach(user -> found.put(user.id(), user));
        }
        return found;
    }

    @Override
    public Optional<DirectoryUser> findUser(String id) {
        return jdbc.sql("select " + COLUMNS + " from directory_user where id = :id")
                .param("id", id)
                .query(LocalDirectory::map)
                .optional();
    }

    private static final String COLUMNS =
            "id, user_principal_name, display_name, mail, account_enabled, deleted, manager_id";

    @Override
    public Optional<DirectoryGroup> findGroup(String id) {
        return jdbc.sql("select id, display_name from directory_group where id = :id")
                .param("id", id)
                .query((rs, row) -> new DirectoryGroup(rs.getString(1), rs.getString(2)))
                .optional();
    }

    @Override
    public List<DirectoryGroup> groupsOf(String userId) {
        return jdbc.sql("""
                with recursive membership(group_id) as (
                    select group_id from directory_group_member where member_id = :user
                    union
                    select m.group_id from directory_group_member m join membership on m.member_id = membership.group_id)
                select g.id, g.display_name from directory_group g join membership on g.id = membership.group_id
                order by g.display_name, g.id""")
                .param("user", userId)
                .query((rs, row) -> new DirectoryGroup(rs.getString(1), rs.getString(2)))
                .list();
    }

    /**
     * A case-insensitive substring match on the display name, the e-mail address and the user principal name, with
     * the text bound as a parameter and its LIKE wildcards escaped: {@code %} finds a percent sign, not everyone.
     * Those who may own agents come first, then whose name starts with the text, then by name.
     */
    @Override
    public List<DirectoryUser> searchUsers(String text, int limit) {
        String wanted = Directory.searchText(text);
        if (wanted.isEmpty()) {
            return List.of();
        }
        String escaped = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        return jdbc.sql("select " + COLUMNS + """
                         from directory_user
                        where not deleted
                          and (display_name ilike :contains escape '\\' or mail ilike :contains escape '\\'
                               or user_principal_name ilike :contains escape '\\')
                        order by account_enabled desc, display_name ilike :starts escape '\\' desc, display_name, id
                        limit :limit""")
                .param("contains", "%" + escaped + "%")
                .param("starts", escaped + "%")
                .param("limit", Directory.searchLimit(limit))
                .query(LocalDirectory::map)
                .list();
    }

    @Override
    public List<DirectoryUser> list() {
        return jdbc.sql("select " + COLUMNS + " from directory_user order by display_name, id")
                .query(LocalDirectory::map)
                .list();
    }

    @Override
    public DirectoryUser add(DirectoryUser person) {
        try {
            jdbc.sql("""
                    insert into directory_user (id, user_principal_name, display_name, mail, account_enabled, deleted, manager_id, updated_at)
                    values (:id, :upn, :name, :mail, :enabled, false, :manager, now())""")
                    .param("id", person.id())
                    .param("upn", person.userPrincipalName())
                    .param("name", person.displayName())
                    .param("mail", person.mail())
                    .param("enabled", person.accountEnabled())
                    .param("manager", person.managerId())
                    .update();
        } catch (DuplicateKeyException e) {
            throw new RegistryException.Conflict(
                    "person-exists",
                    "A person with id " + person.id() + " or user principal name " + person.userPrincipalName()
                            + " exists");
        }
        return findUser(person.id()).orElseThrow();
    }

    @Override
    public Optional<DirectoryUser> setEnabled(String id, boolean enabled) {
        int updated = jdbc.sql(
                        "update directory_user set account_enabled = :enabled, updated_at = now() where id = :id")
                .param("enabled", enabled)
                .param("id", id)
                .update();
        return updated == 0 ? Optional.empty() : findUser(id);
    }

    private static DirectoryUser map(ResultSet rs, int row) throws SQLException {
        return new DirectoryUser(
                rs.getString("id"),
                rs.getString("user_principal_name"),
                rs.getString("display_name"),
                rs.getString("mail"),
                rs.getBoolean("account_enabled"),
                rs.getBoolean("deleted"),
                rs.getString("manager_id"));
    }
}
