package io.warden.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.registry.Directory;
import io.warden.registry.DirectoryContract;
import io.warden.registry.DirectoryGroup;
import io.warden.registry.DirectoryUser;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The directory contract for the local directory, on PostgreSQL. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class LocalDirectoryContractTests extends DirectoryContract {

    @Autowired
    JdbcClient jdbc;

    @Override
    protected Directory directory() {
        return new LocalDirectory(jdbc);
    }

    @Override
    protected void givenGroups(String member, DirectoryGroup outer, DirectoryGroup inner, DirectoryGroup direct) {
        for (var group : List.of(outer, inner, direct)) {
            jdbc.sql("insert into directory_group (id, display_name, updated_at) values (:id, :name, now())")
                    .param("id", group.id())
                    .param("name", group.displayName())
                    .update();
        }
        // the inner group is a member of the outer one; the person of the inner and the direct one
        jdbc.sql("insert into directory_group_member (group_id, member_id) values (:g, :m)")
                .param("g", outer.id())
                .param("m", inner.id())
                .update();
        jdbc.sql("insert into directory_group_member (group_id, member_id) values (:g, :m)")
                .param("g", inner.id())
                .param("m", member)
                .update();
        jdbc.sql("insert into directory_group_member (group_id, member_id) values (:g, :m)")
                .param("g", direct.id())
                .param("m", member)
                .update();
    }

    @Test
    void aSearchFindsByNameOrAddressActivePeopleFirstLeavesTheDeletedOutAndTakesWildcardsAsText() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        person("s-bob-" + run, "Bob Quill" + run, null, false, false);
        person("s-cy-" + run, "Cy Other", "cy.quill" + run + "@contoso.org", true, false);
        person("s-ann-" + run, "Ann Quill" + run, null, true, false);
        person("s-dee-" + run, "Dee Quill" + run, null, true, true);
        person("s-pct-" + run, "Per Cent 100%" + run, null, true, false);

        assertThat(directory().searchUsers("QUILL" + run, 10))
                .extracting(DirectoryUser::id)
                .containsExactly("s-ann-" + run, "s-cy-" + run, "s-bob-" + run);
        assertThat(directory().searchUsers("quill" + run, 1))
                .extracting(DirectoryUser::id)
                .containsExactly("s-ann-" + run);
        // a LIKE wildcard typed is a character looked for, not "anything"
        assertThat(directory().searchUsers("%" + run, 10))
                .extracting(DirectoryUser::id)
                .containsExactly("s-pct-" + run);
        assertThat(directory().searchUsers("_uill" + run, 10)).isEmpty();
        assertThat(directory().searchUsers("O'Quill\" OR 1=1 --" + run, 10)).isEmpty();
    }

    private void person(String id, String name, @Nullable String mail, boolean enabled, boolean deleted) {
        jdbc.sql("""
                insert into directory_user (id, user_principal_name, display_name, mail, account_enabled, deleted, updated_at)
                values (:id, :upn, :name, :mail, :enabled, :deleted, now())""")
                .param("id", id)
                .param("upn", id + "@contoso.org")
                .param("name", name)
                .param("mail", mail)
                .param("enabled", enabled)
                .param("deleted", deleted)
                .update();
    }

    @Override
    protected void givenPeople(List<Person> people) {
        for (Person person : people) {
            jdbc.sql("""
                    insert into directory_user (id, user_principal_name, display_name, account_enabled, updated_at)
                    values (:id, :upn, :name, :enabled, now())""")
                    .param("id", person.id())
                    .param("upn", person.userPrincipalName())
                    .param("name", person.displayName())
                    .param("enabled", person.enabled())
                    .update();
        }
        for (Person person : people) {
            if (person.managerId() != null) {
                jdbc.sql("update directory_user set manager_id = :m where id = :id")
                        .param("m", person.managerId())
                        .param("id", person.id())
                        .update();
            }
        }
    }
}
