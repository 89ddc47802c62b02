package io.warden.clinical;

/** What a collection's items are: texts, images (PNG, JPEG, DICOM frames) or volumes (DICOM series). */
public enum Modality {
    TEXT,
    IMAGE,
    VOLUME
}
