package io.warden.registry.adapters;

import io.warden.registry.Directory;
import io.warden.registry.DirectoryGroup;
import io.warden.registry.DirectoryUser;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * An external directory (Entra ID through Graph) with the people Warden has looked up kept in
 * {@code directory_user}: agents reference their owner there, and the portal lists owners without asking
 * Graph. The external directory stays the source of truth: every lookup goes to it and refreshes the copy.
 */
public final class MirroredDirectory implements Directory {

    private final Directory source;
    private final JdbcClient jdbc;
    private final Clock clock;

    public MirroredDirectory(Directory source, JdbcClient jdbc, Clock clock) {
        this.source = source;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public Optional<DirectoryUser> findUser(String id) {
        Optional<DirectoryUser> found = source.findUser(id);
        found.ifPresentOrElse(this::mirror, () -> markGone(id));
        return found;
    }

    @Override
    public Map<String, DirectoryUser> findUsers(Collection<String> ids) {
        Map<String, DirectoryUser> found = source.findUsers(ids);
        found.values().forEach(this::mirror);
        ids.stream().filter(id -> !found.containsKey(id)).forEach(this::markGone);
        return found;
    }

    /**
     * Searches the external directory, not the copy: the copy holds only the people Warden has looked up, and a new
     * owner is usually someone it has not. The people found refresh the copy like any other lookup.
     */
    @Override
    public List<DirectoryUser> searchUsers(String text, int limit) {
        List<DirectoryUser> found = source.searchUsers(Directory.searchText(text), Directory.searchLimit(limit));
        found.forEach(this::mirror);
        return found;
    }

    @Override
    public Optional<DirectoryGroup> findGroup(String id) {
        return source.findGroup(id);
    }

    @Override
    public List<DirectoryGroup> groupsOf(String userId) {
        return source.groupsOf(userId);
    }

    private void mirror(DirectoryUser user) {
        jdbc.sql("""
                insert into directory_user (id, user_principal_name, display_name, mail, account_enabled, deleted, manager_id, updated_at)
                values (:id, :upn, :name, :mail, :enabled, :deleted,
                        (select id from directory_user where id = :manager), :now)
                on conflict (id) do update set user_principal_name = excluded.user_principal_name,
                    display_name = excluded.display_name, mail = excluded.mail, account_enabled = excluded.account_enabled,
                    deleted = excluded.deleted, manager_id = coalesce(excluded.manager_id, directory_user.manager_id),
                    updated_at = excluded.updated_at""")
                .param("id", user.id())
                .param("upn", user.userPrincipalName())
                .param("name", user.displayName())
                .param("mail", user.mail())
                .param("enabled", user.accountEnabled())
                .param("deleted", user.deleted())
                .param("manager", user.managerId())
                .param("now", Timestamp.from(clock.instant()))
                .update();
    }

    private void markGone(String id) {
        jdbc.sql("update directory_user set deleted = true, updated_at = :now where id = :id")
                .param("id", id)
                .param("now", Timestamp.from(clock.instant()))
                .update();
    }
}
