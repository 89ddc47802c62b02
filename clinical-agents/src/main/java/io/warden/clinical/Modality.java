package io.warden.clinical;

/** What a collection's items are: texts, images, or volumes aggregated from DICOM series. */
public enum Modality {
    TEXT,
    IMAGE,
    VOLUME
}
