package io.warden.policy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The versions of the policy data ({@link PolicyData}): one for every committed change to the rules of data scopes
 * and tools, numbered like the change, recorded by the database (any path that changes the registry makes one) and
 * never changed afterwards. Decision records name the version they were made on ({@code policyData}). Thread-safe;
 * reads only.
 */
public interface PolicyVersions {

    /** The most versions one page lists. */
    int MAX_PAGE = 100;

    /** The newest version. */
    PolicyData current();

    /** The version numbered {@code version}; empty when no change made one with that number. */
    Optional<PolicyData> version(long version);

    /**
     * Versions newest first.
     *
     * @param before only versions numbered below this (the previous page's {@link Page#nextBefore()}); null for the
     *               newest
     * @param limit  1 to {@link #MAX_PAGE}
     */
    Page page(@Nullable Long before, int limit);

    /** A page of versions, and where the next (older) one starts; {@code nextBefore} is null on the last page. */
    record Page(List<Summary> items, @Nullable Long nextBefore) {

        public Page {
            items = List.copyOf(items);
        }
    }

    /**
     * One version: its number, when it was recorded, the SHA-256 of its rules as stored, and what it changed against
     * the version before it (everything is added in the first).
     */
    record Summary(long version, Instant recordedAt, String sha256, Changes changes) {}

    /** Data scopes and tools added, removed, and with changed rules, each by key in key order. */
    record Changes(
            List<String> scopesAdded,
            List<String> scopesRemoved,
            List<String> scopesChanged,
            List<String> toolsAdded,
            List<String> toolsRemoved,
            List<String> toolsChanged) {

        public Changes {
            scopesAdded = List.copyOf(scopesAdded);
            scopesRemoved = List.copyOf(scopesRemoved);
            scopesChanged = List.copyOf(scopesChanged);
            toolsAdded = List.copyOf(toolsAdded);
            toolsRemoved = List.copyOf(toolsRemoved);
            toolsChanged = List.copyOf(toolsChanged);
        }
    }
}
