package io.warden.clinical.ingest;

import io.warden.clinical.ImageEmbedder;

/**
 * How image sources embed: images per call to the {@link io.warden.clinical.ImageEmbedder} and the largest encoded
 * image or DICOM file read, in bytes; a larger one is refused as {@code image-too-large} without being read.
 *
 * @param maxSlices the most slices (frames of a series' instances) one volume may have
 */
public record ImageLimits(int batchSize, long maxBytes, int maxSlices) {

    public ImageLimits {
        if (batchSize < 1 || batchSize > ImageEmbedder.MAX_IMAGES) {
            throw new IllegalArgumentException(
                    "batchSize must be 1.." + ImageEmbedder.MAX_IMAGES + ", got " + batchSize);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        if (maxSlices < 1) {
            throw new IllegalArgumentException("maxSlices must be positive, got " + maxSlices);
        }
    }

    /** 16 images a call, files up to 64 MiB, volumes up to 2,048 slices. */
    public static ImageLimits defaults() {
        return new ImageLimits(16, 64L * 1024 * 1024, 2048);
    }
}
