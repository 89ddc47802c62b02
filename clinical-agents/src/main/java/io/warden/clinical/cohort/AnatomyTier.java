package io.warden.clinical.cohort;

/** Which source decided a series' anatomy, most trusted first. */
public enum AnatomyTier {
    /** the BodyPartExamined attribute, a DICOM defined term */
    BODY_PART_EXAMINED,
    /** a keyword in the SeriesDescription, then the StudyDescription */
    DESCRIPTION,
    /** zero-shot classification of a representative slice by an image model */
    IMAGE,
    /** nothing decided: the anatomy is unknown */
    NONE
}
