package io.warden.registry.events;

import java.time.Instant;

/** A tool was created or changed; {@code version} is its new version (1 when created). */
public record ToolSaved(String key, int maxK, long version, String actorId, Instant at) {}
