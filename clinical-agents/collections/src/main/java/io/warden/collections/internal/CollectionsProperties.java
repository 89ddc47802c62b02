package io.warden.collections.internal;

import io.warden.clinical.ImageEmbedder;
import io.warden.clinical.ingest.ImageLimits;
import java.nio.file.Path;
import java.time.Duration;
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
 * @param embedBatchSize texts embedded per model call while a build reads text items (32: on CPUs a larger batch
 *                       runs slower per text; a GPU node may set 256 or more)
 * @param images         how image and DICOM builds read their inputs
 * @param maxQuerySetBytes the largest labelled query set an evaluation reads (an upload may be larger; the evaluation
 *                       is then refused naming {@code querySet}): the set is read whole into memory
 * @param supersededRetention how long the files of a superseded or failed version are kept before they are deleted:
 *                       long enough for every instance to switch to the new version (they re-read the catalog within
 *                       {@code warden.gateway.cache-refresh}); the rows stay
 */
@ConfigurationProperties("warden.collections")
record CollectionsProperties(
        @DefaultValue("./.warden/collection-builds") Path storageDir,
        @DefaultValue("1073741824") long maxUploadBytes,
        @DefaultValue("1000") int batchSize,
        @DefaultValue("32") int embedBatchSize,
        @DefaultValue Images images,
        @DefaultValue("16777216") long maxQuerySetBytes,
        @DefaultValue("PT1H") Duration supersededRetention) {

    /**
     * Bounds on image inputs (PNG/JPEG ZIP uploads, DICOM instances and series of a data source).
     *
     * @param batchSize        images per call to the image model
     * @param maxImageBytes    the largest image, ZIP entry (uncompressed) or DICOM file read; a larger one is refused
     *                         as {@code image-too-large} without being read whole
     * @param maxZipEntries    the most entries a ZIP upload may hold (the build is refused above it)
     * @param maxZipRatio      the largest uncompressed-to-compressed ratio of a ZIP entry over 64 KiB
     *                         ({@code zip-ratio}): what bounds a hostile archive's expansion to this many times its
     *                         upload's size
     * @param maxLabelsBytes   the largest {@code labels.ndjson} inside a ZIP upload, or labels upload of a DICOM build
     * @param maxSlices        the most slices one volume may have
     */
    record Images(
            @DefaultValue("16") int batchSize,
            @DefaultValue("67108864") long maxImageBytes,
            @DefaultValue("100000") int maxZipEntries,
            @DefaultValue("100") int maxZipRatio,
            @DefaultValue("16777216") long maxLabelsBytes,
            @DefaultValue("2048") int maxSlices) {

        Images {
            if (batchSize < 1 || batchSize > ImageEmbedder.MAX_IMAGES) {
                throw new IllegalArgumentException("warden.collections.images.batch-size is between 1 and "
                        + ImageEmbedder.MAX_IMAGES + ", got " + batchSize);
            }
            if (maxImageBytes < 1 || maxImageBytes > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException(
                        "warden.collections.images.max-image-bytes is between 1 and 2 GiB, got " + maxImageBytes);
            }
            if (maxZipEntries < 1) {
                throw new IllegalArgumentException(
                        "warden.collections.images.max-zip-entries must be positive, got " + maxZipEntries);
            }
            if (maxZipRatio < 1) {
                throw new IllegalArgumentException(
                        "warden.collections.images.max-zip-ratio must be positive, got " + maxZipRatio);
            }
            if (maxLabelsBytes < 1 || maxLabelsBytes > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException(
                        "warden.collections.images.max-labels-bytes is between 1 and 2 GiB, got " + maxLabelsBytes);
            }
            if (maxSlices < 1) {
                throw new IllegalArgumentException(
                        "warden.collections.images.max-slices must be positive, got " + maxSlices);
            }
        }

        ImageLimits limits() {
            return new ImageLimits(batchSize, maxImageBytes, maxSlices);
        }
    }

    CollectionsProperties {
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException(
                    "warden.collections.max-upload-bytes must be positive, got " + maxUploadBytes);
        }
        if (batchSize < 1 || batchSize > 1_000_000) {
            throw new IllegalArgumentException(
                    "warden.collections.batch-size is between 1 and 1000000, got " + batchSize);
        }
        if (maxQuerySetBytes < 1 || maxQuerySetBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(
                    "warden.collections.max-query-set-bytes is between 1 and 2 GiB, got " + maxQuerySetBytes);
        }
        if (supersededRetention.isNegative()) {
            throw new IllegalArgumentException(
                    "warden.collections.superseded-retention must not be negative, got " + supersededRetention);
        }
        if (embedBatchSize < 1 || embedBatchSize > 4096) {
            throw new IllegalArgumentException(
                    "warden.collections.embed-batch-size is between 1 and 4096, got " + embedBatchSize);
        }
    }
}
