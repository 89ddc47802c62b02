package io.warden.registry;

/** Where a data source's DICOM is read from. */
public enum DataSourceKind {
    /** A folder on storage this instance reads, under one of the configured archive roots. */
    FOLDER,
    /** A DICOMweb server configured by name; its address and credentials stay in configuration. */
    DICOMWEB
}
