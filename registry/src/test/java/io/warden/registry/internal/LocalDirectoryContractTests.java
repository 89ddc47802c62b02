package io.warden.registry.internal;

import io.warden.registry.Directory;
import io.warden.registry.DirectoryContract;
import io.warden.registry.DirectoryGroup;
import java.util.List;
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
