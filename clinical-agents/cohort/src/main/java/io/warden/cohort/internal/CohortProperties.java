package io.warden.cohort.internal;

import io.warden.clinical.cohort.ChatCompletionsRewriter;
import io.warden.registry.DataSourceKind;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the cohort builder, under {@code warden.cohort}.
 *
 * @param runsDir      where runs keep their artifacts
 * @param archiveRoots the folders builds may read from: a folder source must lie under one of them
 * @param patientSalt  mixed into the patient hashes; set it (from a secret) so hashes stay comparable across
 *                     restarts and instances; when empty a random salt is kept in {@code runsDir/patient-salt}
 * @param scanThreads  threads of the folder scan; 0 for one per core
 * @param dicomweb     DICOMweb servers by name, which a build names as its source
 * @param rewriter     an optional language model that rephrases the descriptions; off unless its endpoint is set
 * @param sources      data sources to register at start when not registered yet (by key): how a deployment declares
 *                     them in configuration, and how it says which scope an archive belongs to when earlier cohort runs
 *                     read it under several
 * @param imageAnatomy the image tier of anatomy, for DICOMweb sources: off unless its labels file is set (and an
 *                     image model is configured under {@code warden.retrieval.image})
 */
@ConfigurationProperties("warden.cohort")
record CohortProperties(
        @DefaultValue("./.warden/cohort-runs") Path runsDir,
        @DefaultValue("./.warden/archives") List<Path> archiveRoots,
        @DefaultValue("") String patientSalt,
        @DefaultValue("0") int scanThreads,
        @DefaultValue Map<String, DicomWeb> dicomweb,
        @DefaultValue Map<String, Source> sources,
        @Nullable Rewriter rewriter,
        @Nullable ImageAnatomy imageAnatomy) {

    /**
     * A data source declared in configuration.
     *
     * @param kind        FOLDER (a folder under an archive root) or DICOMWEB (a configured server's name)
     * @param location    the folder, or the server's name under {@code warden.cohort.dicomweb}
     * @param scope       the data scope its records belong to
     * @param displayName shown in the catalogue; the key when left out
     */
    public record Source(
            @DefaultValue("FOLDER") DataSourceKind kind,
            String location,
            String scope,
            @Nullable String displayName) {}

    /**
     * Zero-shot anatomy from a representative slice.
     *
     * @param labelsFile JSON object of region name (HEAD, CHEST, ... as {@code Anatomy}) to that region's label text
     *                   embedding by the image model's own text tower ({@code Anatomy.labelText} gives the text)
     * @param minScore   the least similarity that counts
     */
    public record ImageAnatomy(
            Path labelsFile, @DefaultValue("0.2") double minScore) {}

    /**
     * A chat-completions endpoint that rephrases descriptions (only header-derived text is sent).
     *
     * @param endpoint the full URL, e.g. {@code https://x.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21}
     * @param flavour  AZURE ({@code api-key} header) or OPENAI (bearer)
     * @param model    the model, for OPENAI
     */
    public record Rewriter(
            URI endpoint,
            @DefaultValue("AZURE") ChatCompletionsRewriter.Flavour flavour,
            String apiKey,
            @Nullable String model,
            @DefaultValue("PT30S") Duration timeout) {}

    /**
     * A DICOMweb server.
     *
     * @param url       its QIDO-RS root, e.g. {@code https://pacs.internal/dicom-web}
     * @param username  for HTTP basic authentication
     * @param password  for HTTP basic authentication
     * @param tokenFile a file holding a bearer token, read before every request (rotated by its owner)
     * @param pageSize  results per QIDO-RS request
     */
    public record DicomWeb(
            URI url,
            @Nullable String username,
            @Nullable String password,
            @Nullable Path tokenFile,
            @DefaultValue("500") int pageSize) {}
}
