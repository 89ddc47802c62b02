package io.warden.registry.events;

import io.warden.registry.DataSourceView;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** A data source was registered ({@code before} null), changed, or removed ({@code after} null). */
public record DataSourceChanged(
        String key,
        @Nullable DataSourceView before,
        @Nullable DataSourceView after,
        String actorId,
        Instant at) {}
