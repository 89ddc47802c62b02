package io.warden.app.security;

import io.warden.lifecycle.RoleMembers;
import io.warden.registry.Role;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;

/**
 * People who sign in to the embedded provider: a password hash and Warden roles per person of the local
 * directory. A person disabled or deleted in the directory cannot sign in. Their roles say whom a role's notices
 * reach ({@link RoleMembers}).
 */
final class LocalAccounts implements UserDetailsService, RoleMembers {

    /** What the provider puts in a person's token. */
    record Account(String username, String directoryId, String displayName, List<Role> roles) {}

    private final JdbcClient jdbc;

    LocalAccounts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    Optional<Account> find(String username) {
        return jdbc.sql("""
                select a.username, a.directory_user_id, u.display_name, a.roles
                from local_account a join directory_user u on u.id = a.directory_user_id
                where a.username = :username""")
                .param("username", username)
                .query((rs, row) -> new Account(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        Arrays.stream((String[]) rs.getArray(4).getArray())
                                .map(Role::valueOf)
                                .toList()))
                .optional();
    }

    /** Those who could sign in now with the role: account and directory entry enabled, not deleted. */
    @Override
    public List<String> membersOf(Role role) {
        return jdbc.sql("""
                select distinct a.directory_user_id
                from local_account a join directory_user u on u.id = a.directory_user_id
                where :role = any(a.roles) and a.enabled and u.account_enabled and not u.deleted
                order by a.directory_user_id""")
                .param("role", role.name())
                .query((rs, row) -> rs.getString(1))
                .list();
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        return jdbc.sql("""
                select a.username, a.password_hash, a.roles, a.enabled and u.account_enabled and not u.deleted
                from local_account a join directory_user u on u.id = a.directory_user_id
                where a.username = :username""")
                .param("username", username)
                .query((rs, row) -> User.withUsername(rs.getString(1))
                        .password(rs.getString(2))
                        .authorities(Arrays.stream((String[]) rs.getArray(3).getArray())
                                .map(role -> new SimpleGrantedAuthority("ROLE_" + role))
                                .toList())
                        .disabled(!rs.getBoolean(4))
                        .build())
                .optional()
                .orElseThrow(() -> new UsernameNotFoundException("no local account " + username));
    }
}
