package io.warden.registry.internal;

import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Remembers idempotency keys per actor and operation, with a hash of the request and the resource it
 * created. A concurrent duplicate waits on the key's row and then sees the first request's result.
 */
@Repository
class IdempotencyRepository {

    /** What an earlier request under the same key created. */
    record Entry(String requestHash, String resourceId) {}

    private final JdbcClient jdbc;

    IdempotencyRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Claims the key for this request, or returns what the earlier request under it recorded.
     *
     * @return empty when the key was free and is now claimed by this transaction
     */
    Optional<Entry> claim(
            String actorId, String operation, String key, String requestHash, String resourceId, Instant now) {
        int inserted = jdbc.sql("""
                insert into idempotency_key (actor_id, operation, key, request_hash, resource_id, created_at)
                values (:actor, :operation, :key, :hash, :resource, :now)
                on conflict do nothing""")
                .param("actor", actorId)
                .param("operation", operation)
                .param("key", key)
                .param("hash", requestHash)
                .param("resource", resourceId)
                .param("now", SqlArrays.timestamp(now))
                .update();
        if (inserted == 1) {
            return Optional.empty();
        }
        return Optional.of(jdbc.sql("""
                select request_hash, resource_id from idempotency_key
                where actor_id = :actor and operation = :operation and key = :key""")
                .param("actor", actorId)
                .param("operation", operation)
                .param("key", key)
                .query((rs, row) -> new Entry(rs.getString(1), rs.getString(2)))
                .single());
    }
}
