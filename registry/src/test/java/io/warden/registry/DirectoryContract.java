package io.warden.registry;

import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Directory} does, whatever holds the people: the local table or Entra ID through Graph.
 * A subclass puts the given people where its adapter reads them.
 */
public abstract class DirectoryContract {

    protected record Person(
            String id,
            String userPrincipalName,
            String displayName,
            boolean enabled,
            @Nullable String managerId) {}

    protected String manager;
    protected String active;
    protected String disabled;
    protected List<String> crowd;

    /** The adapter under test. */
    protected abstract Directory directory();

    /** Makes these people known to the directory the adapter reads. */
    protected abstract void givenPeople(List<Person> people);

    /**
     * Puts {@code member} into group {@code outer} through group {@code inner} (nested) and into
     * {@code direct} directly.
     */
    protected abstract void givenGroups(
            String member, DirectoryGroup outer, DirectoryGroup inner, DirectoryGroup direct);

    @BeforeEach
    void people() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        manager = "manager-" + run;
        active = "active-" + run;
        disabled = "disabled-" + run;
        List<Person> people = new ArrayList<>(List.of(
                new Person(manager, manager + "@contoso.org", "Manager", true, null),
                new Person(active, active + "@contoso.org", "Active owner", true, manager),
                new Person(disabled, disabled + "@contoso.org", "Departed owner", false, manager)));
        crowd = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            people.add(new Person(
                    "crowd-" + run + "-" + i,
                    "crowd" + i + "-" + run + "@contoso.org",
                    "Crowd " + i,
                    i % 10 != 0,
                    null));
            crowd.add("crowd-" + run + "-" + i);
        }
        givenPeople(people);
    }

    @Test
    void anEnabledPersonIsActiveWithTheirManager() {
        DirectoryUser user = directory().findUser(active).orElseThrow();
        assertThat(user.active()).isTrue();
        assertThat(user.userPrincipalName()).isEqualTo(active + "@contoso.org");
        assertThat(user.managerId()).isEqualTo(manager);
    }

    @Test
    void aDisabledPersonIsFoundButNotActive() {
        assertThat(directory().findUser(disabled))
                .hasValueSatisfying(user -> assertThat(user.active()).isFalse());
    }

    @Test
    void groupsCountDirectAndNestedMembership() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        var outer = new DirectoryGroup("g-outer-" + run, "Clinical AI owners");
        var inner = new DirectoryGroup("g-inner-" + run, "Radiology AI owners");
        var direct = new DirectoryGroup("g-direct-" + run, "Warden admins");
        givenGroups(active, outer, inner, direct);
        assertThat(directory().groupsOf(active)).containsExactlyInAnyOrder(outer, inner, direct);
        assertThat(directory().groupsOf(disabled)).isEmpty();
        assertThat(directory().groupsOf("nobody-" + run)).isEmpty();
        // group entitlements name groups by id: the directory must say which ids are groups
        assertThat(directory().findGroup(direct.id())).contains(direct);
        assertThat(directory().findGroup("nobody-" + run)).isEmpty();
    }

    @Test
    void aSearchRefusesControlCharactersAndOverlongTextAndFindsNobodyForBlankText() {
        assertThatThrownBy(() -> directory().searchUsers("Active\u0000owner", 5))
                .isInstanceOf(RegistryException.InvalidField.class);
        assertThatThrownBy(() -> directory().searchUsers("Active\nowner", 5))
                .isInstanceOf(RegistryException.InvalidField.class);
        assertThatThrownBy(() -> directory().searchUsers("x".repeat(Directory.SEARCH_MAX_TEXT + 1), 5))
                .isInstanceOf(RegistryException.InvalidField.class);
        assertThat(directory().searchUsers(" \t ", 5)).isEmpty();
    }

    @Test
    void someoneTheDirectoryDoesNotKnowIsAbsent() {
        assertThat(directory().findUser("nobody-" + UUID.randomUUID())).isEmpty();
    }

    @Test
    void manyPeopleAtOnceComeBackWithTheirStateAndTheUnknownAreLeftOut() {
        List<String> asked = new ArrayList<>(crowd);
        asked.add(active);
        asked.add(disabled);
        asked.add("nobody-" + UUID.randomUUID());
        Map<String, DirectoryUser> found = directory().findUsers(asked);
        assertThat(found).hasSize(62).doesNotContainKey(asked.getLast());
        assertThat(requireNonNull(found.get(disabled), disabled).active()).isFalse();
        assertThat(found.values().stream().filter(DirectoryUser::active).count())
                .isEqualTo(55);
    }
}
