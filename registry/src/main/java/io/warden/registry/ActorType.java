package io.warden.registry;

/** Who is acting: a person signed in through the identity provider, or a machine client. */
public enum ActorType {
    PERSON,
    AGENT
}
