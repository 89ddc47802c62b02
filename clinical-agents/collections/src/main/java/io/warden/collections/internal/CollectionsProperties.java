package io.warden.collections.internal;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the governed collections, under {@code warden.collections}.
 *
 * @param storageDir     where uploads and each version's committed items are kept: storage every instance reads (a
 *                       shared volume in production), like {@code warden.retrieval.collections-dir}, which holds the
 *                       versions' indexes
 * @param maxUploadBytes the largest upload accepted; a larger body is refused and nothing of it is kept
 * @param batchSize      items per committed batch of a build: a stopped build resumes after the last one
 * @param embedBatchSize texts embedded per model call while a build reads text items
 */
@ConfigurationProperties("warden.collections")
record CollectionsProperties(
        @DefaultValue("./.warden/collection-builds") Path storageDir,
        @DefaultValue("1073741824") long maxUploadBytes,
        @DefaultValue("1000") int batchSize,
        @DefaultValue("256") int embedBatchSize) {

    CollectionsProperties {
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException(
                    "warden.collections.max-upload-bytes must be positive, got " + maxUploadBytes);
        }
        if (batchSize < 1 || batchSize > 1_000_000) {
            throw new IllegalArgumentException(
                    "warden.collections.batch-size is between 1 and 1000000, got " + batchSize);
        }
        if (embedBatchSize < 1 || embedBatchSize > 4096) {
            throw new IllegalArgumentException(
                    "warden.collections.embed-batch-size is between 1 and 4096, got " + embedBatchSize);
        }
    }
}
