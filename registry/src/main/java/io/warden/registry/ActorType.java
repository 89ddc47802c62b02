package io.warden.registry;

/** Who is acting: a person signed in through the identity provider, a machine client, or Warden itself. */
public enum ActorType {
    PERSON,
    AGENT,
    /** Warden itself: a lifecycle workflow or rule acting on its own schedule; its id starts with {@code system:}. */
    SYSTEM
}
