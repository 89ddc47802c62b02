package io.warden.lifecycle;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Something a lifecycle process told a person or a role, as their inbox shows it.
 *
 * @param recipient a person's directory id, or {@code role:<ROLE>} for everyone holding the role
 * @param process   the process that wrote it ({@code recertification}, {@code retirement}, {@code orphaned}, ...)
 * @param dueAt     when the recipient must act by; null for news that asks nothing
 * @param read      whether the viewer marked it read (each holder of a role reads on their own)
 */
public record Notice(
        UUID id,
        String recipient,
        @Nullable String agentId,
        @Nullable String process,
        String subject,
        String body,
        Instant createdAt,
        @Nullable Instant dueAt,
        boolean read) {}
