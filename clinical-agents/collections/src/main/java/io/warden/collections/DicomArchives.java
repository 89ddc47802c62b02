package io.warden.collections;

import io.warden.clinical.dicom.DicomReader;
import io.warden.clinical.dicom.DicomWebSource;
import io.warden.registry.DataSourceView;
import java.nio.file.Path;

/**
 * Port to whoever knows where registered data sources point (the archive roots and the configured DICOMweb servers,
 * with their credentials): a collection build asks it to open the FOLDER or DICOMWEB source it reads. The build has
 * checked already that the source belongs to the collection's data scope; this port checks again that the source
 * still resolves where it was registered. Thread-safe.
 */
public interface DicomArchives {

    /**
     * The source opened for reading, with the reader (its patient salt) its records are made with.
     *
     * @throws IllegalStateException when the source no longer resolves (a root removed from configuration, a folder
     *                               swapped for a link, a server no longer configured)
     */
    Archive open(DataSourceView source);

    /** An opened data source: a folder's real path, or a DICOMweb server. */
    sealed interface Archive {

        DicomReader reader();

        /** A FOLDER source: its real path, inside an archive root. */
        record Folder(Path folder, DicomReader reader) implements Archive {}

        /** A DICOMWEB source: the server it names. */
        record DicomWeb(DicomWebSource server, DicomReader reader) implements Archive {}
    }
}
