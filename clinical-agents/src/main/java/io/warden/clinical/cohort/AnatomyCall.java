package io.warden.clinical.cohort;

import org.jspecify.annotations.Nullable;

/**
 * What the anatomy tiers made of a series.
 *
 * @param region   the region, or null when no tier decided
 * @param tier     the tier that decided
 * @param evidence what decided it: the BodyPartExamined value, the keyword, or the image model's label and score
 */
public record AnatomyCall(@Nullable Anatomy region, AnatomyTier tier, String evidence) {

    public static AnatomyCall unknown() {
        return new AnatomyCall(null, AnatomyTier.NONE, "");
    }
}
