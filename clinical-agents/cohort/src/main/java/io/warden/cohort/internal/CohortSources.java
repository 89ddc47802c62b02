package io.warden.cohort.internal;

import io.warden.clinical.cohort.CohortPipeline;
import io.warden.clinical.dicom.DicomFolderScan;
import io.warden.clinical.dicom.DicomReader;
import io.warden.clinical.dicom.DicomSource;
import io.warden.clinical.dicom.DicomWebSource;
import io.warden.collections.DicomArchives;
import io.warden.registry.DataSourceKind;
import io.warden.registry.DataSourceView;
import io.warden.registry.DataSources;
import io.warden.registry.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Where data sources may point and how they are read: folders under the configured archive roots (resolved to
 * their real paths, so {@code ..} and links cannot leave them) and the configured DICOMweb servers by name, whose
 * addresses and credentials never pass through the API or the database. A source is checked again each time it is
 * read, so a root removed from configuration or a folder swapped for a link stops its builds.
 */
final class CohortSources implements CohortBuilds.SourceReader, DataSources.Locations {

    private final List<Path> roots;
    private final Map<String, CohortProperties.DicomWeb> servers;
    private final byte[] salt;
    private final int threads;

    CohortSources(CohortProperties properties, byte[] salt) {
        this.roots = properties.archiveRoots().stream()
                .map(root -> root.toAbsolutePath().normalize())
                .toList();
        this.servers = Map.copyOf(properties.dicomweb());
        this.salt = salt.clone();
        this.threads = properties.scanThreads() > 0
                ? properties.scanThreads()
                : Runtime.getRuntime().availableProcessors();
    }

    @Override
    public String check(DataSourceKind kind, String location) {
        return switch (kind) {
            case FOLDER -> folder(location).toString();
            case DICOMWEB -> {
                if (!servers.containsKey(location)) {
                    throw new RegistryException.InvalidField(
                            "location",
                            "No DICOMweb server named '" + location + "' is configured (warden.cohort.dicomweb)"
                                    + (servers.isEmpty() ? "" : "; the servers are " + servers.keySet()));
                }
                yield location;
            }
        };
    }

    /** The folder's real path; one refusal for a folder that is missing and one outside the roots, so neither is told apart. */
    private Path folder(String folder) {
        String refusal = folder + " is not a folder under an archive root (warden.cohort.archive-roots)";
        Path real;
        try {
            real = Path.of(folder).toAbsolutePath().toRealPath();
        } catch (IOException | InvalidPathException e) {
            throw new RegistryException.InvalidField("location", refusal);
        }
        for (Path root : roots) {
            Path realRoot;
            try {
                realRoot = root.toRealPath();
            } catch (IOException e) {
                continue; // a configured root that does not exist holds nothing
            }
            if (real.startsWith(realRoot) && Files.isDirectory(real)) {
                return real;
            }
        }
        throw new RegistryException.InvalidField("location", refusal);
    }

    /** The configured archive roots, as the upgrade registers them. */
    List<Path> roots() {
        return roots;
    }

    /** The configured DICOMweb servers' names. */
    Set<String> servers() {
        return servers.keySet();
    }

    @Override
    public Read read(DataSourceView source) {
        String location = check(source.kind(), source.location());
        if (!location.equals(source.location())) {
            throw new IllegalStateException(
                    "Data source " + source.key() + " no longer resolves to its registered folder");
        }
        DicomSource dicom = source.kind() == DataSourceKind.FOLDER
                ? new DicomFolderScan(new DicomReader(salt), threads).source(Path.of(location))
                : dicomWeb(Objects.requireNonNull(
                        servers.get(location), "a registered DICOMweb source names a configured server"));
        DicomSource.Report report = dicom.read();
        return new Read(
                report.instances(),
                report.skipped().stream()
                        .map(skipped -> new CohortPipeline.Problem(skipped.location(), skipped.reason()))
                        .toList());
    }

    @Override
    public @Nullable Function<String, Optional<byte[]>> renderer(DataSourceView source) {
        if (source.kind() != DataSourceKind.DICOMWEB || !servers.containsKey(source.location())) {
            return null; // a folder's slices would need decoding their pixel data, which Warden does not do
        }
        return dicomWeb(servers.get(source.location()))::rendered;
    }

    /** A registered source opened for a collection build, read with the cohort runs' patient salt. */
    DicomArchives.Archive archive(DataSourceView source) {
        String location = check(source.kind(), source.location());
        if (!location.equals(source.location())) {
            throw new IllegalStateException(
                    "Data source " + source.key() + " no longer resolves to its registered folder");
        }
        DicomReader reader = new DicomReader(salt);
        return source.kind() == DataSourceKind.FOLDER
                ? new DicomArchives.Archive.Folder(Path.of(location), reader)
                : new DicomArchives.Archive.DicomWeb(
                        dicomWeb(Objects.requireNonNull(
                                servers.get(location), "a registered DICOMweb source names a configured server")),
                        reader);
    }

    /** The DICOMweb server a registered DICOMweb data source names. */
    DicomWebSource dicomWebFor(DataSourceView source) {
        String location = check(source.kind(), source.location());
        return dicomWeb(Objects.requireNonNull(servers.get(location), "a DICOMweb source names a configured server"));
    }

    private DicomWebSource dicomWeb(CohortProperties.DicomWeb server) {
        DicomWebSource.Auth auth;
        if (server.tokenFile() != null) {
            Path file = server.tokenFile();
            auth = new DicomWebSource.Auth.Bearer(() -> {
                try {
                    return Files.readString(file, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    throw new UncheckedIOException("Could not read the DICOMweb token file " + file, e);
                }
            });
        } else if (server.username() != null) {
            auth = new DicomWebSource.Auth.Basic(server.username(), String.valueOf(server.password()));
        } else {
            auth = new DicomWebSource.Auth.None();
        }
        return new DicomWebSource(
                server.url(), auth, salt, DicomWebSource.Settings.defaults().withPageSize(server.pageSize()));
    }
}
