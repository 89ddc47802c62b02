package io.warden.app.cohort;

import io.warden.clinical.cohort.CohortPipeline;
import io.warden.clinical.cohort.CohortRuns;
import io.warden.clinical.dicom.DicomFolderScan;
import io.warden.clinical.dicom.DicomReader;
import io.warden.clinical.dicom.DicomSource;
import io.warden.clinical.dicom.DicomWebSource;
import io.warden.registry.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The sources a build may read: folders under the configured archive roots (resolved, so {@code ..} and links
 * cannot leave them) and the configured DICOMweb servers by name, whose addresses and credentials never pass
 * through the API or the database.
 */
final class CohortSources implements CohortBuilds.SourceReader {

    /** A checked source: its kind (FOLDER or DICOMWEB) and where it is (a real path, or the server's name). */
    record Described(String kind, String location) {
    }

    private final List<Path> roots;
    private final Map<String, CohortProperties.DicomWeb> servers;
    private final byte[] salt;
    private final int threads;

    CohortSources(CohortProperties properties, byte[] salt) {
        this.roots = properties.archiveRoots().stream().map(root -> root.toAbsolutePath().normalize()).toList();
        this.servers = Map.copyOf(properties.dicomweb());
        this.salt = salt.clone();
        this.threads = properties.scanThreads() > 0 ? properties.scanThreads() : Runtime.getRuntime().availableProcessors();
    }

    Described check(CohortRuns.@org.jspecify.annotations.Nullable Source source) {
        if (source == null || (source.folder() == null) == (source.dicomweb() == null)) {
            throw new RegistryException.InvalidField("source", "Name exactly one source: a folder or a DICOMweb server");
        }
        if (source.folder() != null) {
            return new Described("FOLDER", folder(source.folder()).toString());
        }
        if (!servers.containsKey(source.dicomweb())) {
            throw new RegistryException.InvalidField("source.dicomweb", "No DICOMweb server named '" + source.dicomweb()
                    + "' is configured" + (servers.isEmpty() ? "" : "; the servers are " + servers.keySet()));
        }
        return new Described("DICOMWEB", source.dicomweb());
    }

    private Path folder(String folder) {
        Path real;
        try {
            real = Path.of(folder).toAbsolutePath().toRealPath();
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new RegistryException.InvalidField("source.folder", "No folder " + folder);
        }
        if (!Files.isDirectory(real)) {
            throw new RegistryException.InvalidField("source.folder", folder + " is not a folder");
        }
        for (Path root : roots) {
            try {
                if (Files.exists(root) && real.startsWith(root.toRealPath())) {
                    return real;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Could not resolve the archive root " + root, e);
            }
        }
        throw new RegistryException.InvalidField("source.folder", folder + " is not under an archive root (warden.cohort.archive-roots)");
    }

    @Override
    public Read read(CohortRuns.Source source) {
        Described described = check(source);
        DicomSource dicom = described.kind().equals("FOLDER")
                ? new DicomFolderScan(new DicomReader(salt), threads).source(Path.of(described.location()))
                : dicomWeb(servers.get(described.location()));
        DicomSource.Report report = dicom.read();
        return new Read(report.instances(), report.skipped().stream()
                .map(skipped -> new CohortPipeline.Problem(skipped.location(), skipped.reason())).toList());
    }

    @Override
    public java.util.function.@org.jspecify.annotations.Nullable Function<String, java.util.Optional<byte[]>> renderer(
            CohortRuns.Source source) {
        if (source.dicomweb() == null || !servers.containsKey(source.dicomweb())) {
            return null; // a folder's slices would need decoding their pixel data, which Warden does not do
        }
        return dicomWeb(servers.get(source.dicomweb()))::rendered;
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
        return new DicomWebSource(server.url(), auth, salt, DicomWebSource.Settings.defaults().withPageSize(server.pageSize()));
    }
}
