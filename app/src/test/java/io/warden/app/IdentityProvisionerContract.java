package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.registry.AgentId;
import io.warden.registry.AgentStatus;
import io.warden.registry.AgentView;
import io.warden.registry.AgentViews;
import io.warden.registry.IdentityProvisioner;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * What every {@link IdentityProvisioner} does, wherever the identities live: provisioning is idempotent
 * once the client id is recorded, the credential goes to the secret store and nowhere else, disabling
 * stops the identity until it is enabled again, and removal leaves neither the identity nor its secret.
 * An implementing test says how to observe its identity provider.
 */
interface IdentityProvisionerContract {

    IdentityProvisioner provisioner();

    /** Whether the identity exists in the provider. */
    boolean exists(String clientId);

    /** Whether the identity may obtain tokens. */
    boolean enabled(String clientId);

    /** The credential kept in the secret store for this identity, if any. */
    @Nullable
    String storedSecret(String clientId);

    /** An agent as the registry hands it over; with a client id once one was recorded. */
    default AgentView agent(AgentId id, @Nullable String clientId) {
        return AgentViews.anAgent()
                .withId(id)
                .withName("Contract agent " + id.toString().substring(0, 8))
                .withPurpose("contract")
                .withStatus(AgentStatus.PENDING_APPROVAL)
                .withOwnerId("3f1c2a9e-7b1d-4e0a-9c11-000000000a02")
                .withClientId(clientId)
                .build();
    }

    @Test
    default void provisioningGivesAnEnabledIdentityWhoseSecretIsInTheSecretStoreOnly() {
        AgentId id = new AgentId(UUID.randomUUID());
        String clientId = provisioner().provision(agent(id, null));
        assertThat(clientId).isNotBlank();
        assertThat(exists(clientId)).isTrue();
        assertThat(enabled(clientId)).isTrue();
        assertThat(storedSecret(clientId)).isNotBlank().isNotEqualTo(clientId);
        assertThat(provisioner().provision(agent(id, clientId)))
                .as("the recorded identity again")
                .isEqualTo(clientId);
    }

    @Test
    default void aDisabledIdentityIsStoppedUntilEnabledAndARemovedOneIsGoneWithItsSecret() {
        AgentId id = new AgentId(UUID.randomUUID());
        String clientId = provisioner().provision(agent(id, null));
        AgentView provisioned = agent(id, clientId);
        provisioner().disable(provisioned);
        assertThat(enabled(clientId)).isFalse();
        provisioner().enable(provisioned);
        assertThat(enabled(clientId)).isTrue();
        provisioner().remove(provisioned);
        assertThat(exists(clientId)).isFalse();
        assertThat(storedSecret(clientId)).isNull();
    }

    /** Retirement reaches the provisioner through redelivered events: a second removal, or one after disabling, must not fail. */
    @Test
    default void removingADisabledIdentityTwiceLeavesNeitherTheIdentityNorItsSecretAndDoesNotFail() {
        AgentId id = new AgentId(UUID.randomUUID());
        String clientId = provisioner().provision(agent(id, null));
        AgentView provisioned = agent(id, clientId);
        provisioner().disable(provisioned);
        provisioner().remove(provisioned);
        provisioner().remove(provisioned);
        assertThat(exists(clientId)).isFalse();
        assertThat(storedSecret(clientId)).isNull();
    }
}
