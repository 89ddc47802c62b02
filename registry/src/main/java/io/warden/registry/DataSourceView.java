package io.warden.registry;

/**
 * A registered data source: an archive folder or a DICOMweb server, bound to exactly one data scope. The
 * scope gives the source its sensitivity and PHI flag, and whoever reads the source reads that scope.
 *
 * @param key         stable slug, e.g. {@code ct-archive}
 * @param kind        FOLDER or DICOMWEB
 * @param location    the folder's real path, or the configured DICOMweb server's name; shown to admins only
 * @param scopeKey    the data scope the source's records belong to
 * @param sensitivity the scope's sensitivity label (read from the scope, never stored on the source)
 * @param phi         the scope holds protected health information
 * @param version     optimistic-locking version, 1 when registered
 */
public record DataSourceView(
        String key,
        String displayName,
        DataSourceKind kind,
        String location,
        String scopeKey,
        SensitivityLabel sensitivity,
        boolean phi,
        long version) {}
