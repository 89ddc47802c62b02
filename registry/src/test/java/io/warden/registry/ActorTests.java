package io.warden.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ActorTests {

    @Test
    void rejectsBlankIds() {
        assertThatIllegalArgumentException().isThrownBy(() -> Actor.person(" ", Set.of(Role.ADMIN)));
    }

    @Test
    void agentsHoldNoPersonRoles() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Actor("client", ActorType.AGENT, Set.of(Role.ADMIN)))
                .withMessageContaining("AGENT actors hold no person roles");
        assertThat(Actor.agent("client").roles()).isEmpty();
    }
}
