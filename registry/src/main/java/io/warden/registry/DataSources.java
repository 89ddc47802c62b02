package io.warden.registry;

import java.util.List;
import java.util.Optional;

/**
 * Port to the catalogue of data sources: the archive folders and DICOMweb servers Warden's builders may read,
 * each bound to one data scope. Changes are admins' (the web edge checks the role), each one audited with its
 * actor and the source before and after. Thread-safe.
 */
public interface DataSources {

    /** What a source is registered with or changed to. */
    record Save(String displayName, DataSourceKind kind, String location, String scopeKey) {}

    /**
     * Decides where a source may point, for the deployment that reads it: a folder must lie under a configured
     * archive root and a DICOMweb server must be configured by name. Refusals name the field {@code location}
     * and say the same for a path that is missing as for one outside the roots.
     */
    @FunctionalInterface
    interface Locations {

        /** @return the location as stored (a folder's real path; a server's name) */
        String check(DataSourceKind kind, String location);
    }

    List<DataSourceView> list();

    Optional<DataSourceView> find(String key);

    /** @throws RegistryException.InvalidField naming the field at fault; AlreadyExists when the key is taken */
    DataSourceView create(String key, Save source, String actorId);

    /** @throws RegistryException.StaleVersion when {@code version} is not current */
    DataSourceView update(String key, Save source, long version, String actorId);

    /** @throws RegistryException.StaleVersion when {@code version} is not current */
    void delete(String key, long version, String actorId);
}
