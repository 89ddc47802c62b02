package io.warden.lifecycle;

import io.warden.registry.Actor;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * A person's notifications: those addressed to them and to each role they hold. Reading and marking read change
 * nothing anyone else sees. Thread-safe.
 */
public interface NoticeBoard {

    /** The newest notices for this person first, at most {@code limit} (capped at 500). */
    List<Notice> notices(Actor viewer, int limit);

    /** The most {@link #unread} counts: every page's header asks, and "99+" says enough. */
    int UNREAD_COUNTED = 100;

    /**
     * How many of this person's notices they have not marked read, counted up to {@link #UNREAD_COUNTED}: the header
     * of every page asks, so it must not cost a scan of everything someone never read.
     */
    int unread(Actor viewer);

    /**
     * Marks these notices read for this person; ids that are not addressed to them are ignored, so nobody learns
     * of another's notices by guessing ids.
     *
     * @return how many were newly marked
     */
    int markRead(Actor viewer, Collection<UUID> ids);

    /** Marks every notice of this person read. */
    int markAllRead(Actor viewer);
}
