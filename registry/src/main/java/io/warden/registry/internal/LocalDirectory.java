package io.warden.registry.internal;

import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The default {@link Directory}: people kept in Warden's own {@code directory_user} table. Used when no
 * Entra tenant is configured; the demo data seeds it.
 */
public final class LocalDirectory implements Directory {

    private final JdbcClient jdbc;

    public LocalDirectory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public java.util.Map<String, DirectoryUser> findUsers(java.util.Collection<String> ids) {
        java.util.Map<String, DirectoryUser> found = new java.util.HashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        jdbc.sql("""
                select id, user_principal_name, display_name, mail, account_enabled, deleted, manager_id
                from directory_user where id = any(:ids)""")
                .param("ids", ids.toArray(String[]::new))
                .query((rs, row) -> new DirectoryUser(rs.getString("id"), rs.getString("user_principal_name"),
                        rs.getString("display_name"), rs.getString("mail"), rs.getBoolean("account_enabled"),
                        rs.getBoolean("deleted"), rs.getString("manager_id")))
                .list().forEach(user -> found.put(user.id(), user));
        return found;
    }

    @Override
    public Optional<DirectoryUser> findUser(String id) {
        return jdbc.sql("""
                select id, user_principal_name, display_name, mail, account_enabled, deleted, manager_id
                from directory_user where id = :id""")
                .param("id", id)
                .query((rs, row) -> new DirectoryUser(rs.getString("id"), rs.getString("user_principal_name"),
                        rs.getString("display_name"), rs.getString("mail"), rs.getBoolean("account_enabled"),
                        rs.getBoolean("deleted"), rs.getString("manager_id")))
                .optional();
    }
}
