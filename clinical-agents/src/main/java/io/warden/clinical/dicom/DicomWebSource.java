package io.warden.clinical.dicom;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads instance headers from a DICOMweb server without downloading a single file: it walks studies, their
 * series and their instances with QIDO-RS searches (PS3.18 10.6) and maps the DICOM JSON answers (PS3.18 F.2)
 * to the same {@link DicomHeader} a {@link DicomReader} gives for the file, patient hashes included, so a
 * cohort can be built from an archive's API as from a folder.
 *
 * <p>Each search asks with {@code includefield} for every attribute the header holds, and pages with
 * {@code limit} and {@code offset} until a page comes back shorter than the limit (an empty 204 counts as an
 * empty page); the page size should therefore not exceed the server's own maximum. An attribute the instance
 * search leaves out is taken from its series or study search only where it belongs to that level, because
 * some servers fill a study's answer with one arbitrary instance's attributes.
 *
 * <p>I/O errors, 429 and 5xx are retried with exponential back-off, waiting what Retry-After asks (in seconds)
 * when the server says; anything else that is not a 2xx fails at once. Every failure is a
 * {@link DicomWebException}. An instance whose attributes cannot be read (a number that is not one) is
 * listed as skipped, with its URL, and does not stop the walk. Redirects are not followed, so credentials go
 * only to the configured server.
 */
public final class DicomWebSource implements DicomSource {

    static final String STUDY_UID = "0020000D";
    static final String SERIES_UID = "0020000E";
    static final String SOP_UID = "00080018";
    static final String MODALITY = "00080060";
    static final String BODY_PART = "00180015";
    static final String SERIES_DESCRIPTION = "0008103E";
    static final String STUDY_DESCRIPTION = "00081030";
    static final String ORIENTATION = "00200037";
    static final String POSITION = "00200032";
    static final String SLICE_THICKNESS = "00180050";
    static final String ROWS = "00280010";
    static final String COLUMNS = "00280011";
    static final String FRAMES = "00280008";
    static final String MANUFACTURER = "00080070";
    static final String PATIENT_ID = "00100020";
    static final String PATIENT_NAME = "00100010";
    static final String TRANSFER_SYNTAX = "00020010";
    /** Every attribute a {@link DicomHeader} holds, asked for at each level. */
    static final List<String> FIELDS = List.of(
            STUDY_UID,
            SERIES_UID,
            SOP_UID,
            MODALITY,
            BODY_PART,
            SERIES_DESCRIPTION,
            STUDY_DESCRIPTION,
            ORIENTATION,
            POSITION,
            SLICE_THICKNESS,
            ROWS,
            COLUMNS,
            FRAMES,
            MANUFACTURER,
            PATIENT_ID,
            PATIENT_NAME,
            TRANSFER_SYNTAX);
    /** Attributes of the study (patient and study modules): the only ones trusted from a study search. */
    private static final Set<String> STUDY_LEVEL = Set.of(STUDY_UID, STUDY_DESCRIPTION, PATIENT_ID, PATIENT_NAME);
    /** Attributes of the series (general series and equipment modules), trusted from a series search. */
    private static final Set<String> SERIES_LEVEL = Set.of(
            STUDY_UID,
            SERIES_UID,
            MODALITY,
            BODY_PART,
            SERIES_DESCRIPTION,
            MANUFACTURER,
            STUDY_DESCRIPTION,
            PATIENT_ID,
            PATIENT_NAME);

    private static final String DICOM_JSON = "application/dicom+json";

    /** How the source proves who it is. */
    public sealed interface Auth {

        /** No credentials: a server on a trusted network, or behind a proxy that adds them. */
        record None() implements Auth {}

        /** HTTP basic authentication. The password is kept out of {@link #toString()}. */
        record Basic(String user, String password) implements Auth {

            @Override
            public String toString() {
                return "Basic[user=" + user + "]";
            }
        }

        /** A bearer token, asked of the supplier for every request, so that a token can rotate during a long walk. */
        record Bearer(Supplier<String> token) implements Auth {}
    }

    /**
     * @param pageSize       the {@code limit} of each search; at most the server's own maximum
     * @param attempts       tries per request, the first included (1: no retry)
     * @param initialDelay   the wait before the first retry, doubled for each next one
     * @param maxDelay       the longest wait between tries, Retry-After included
     * @param requestTimeout how long one request may take
     */
    public record Settings(
            int pageSize, int attempts, Duration initialDelay, Duration maxDelay, Duration requestTimeout) {

        public Settings {
            if (pageSize < 1) {
                throw new IllegalArgumentException("pageSize must be at least 1, got " + pageSize);
            }
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
            }
            if (initialDelay.isNegative()
                    || maxDelay.isNegative()
                    || requestTimeout.isNegative()
                    || requestTimeout.isZero()) {
                throw new IllegalArgumentException(
                        "delays must not be negative and the request timeout must be positive");
            }
        }

        /** Pages of 500, five tries from half a second to thirty, a minute a request. */
        public static Settings defaults() {
            return new Settings(500, 5, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(60));
        }

        public Settings withPageSize(int size) {
            return new Settings(size, attempts, initialDelay, maxDelay, requestTimeout);
        }

        public Settings withRetries(int tries, Duration initial, Duration max) {
            return new Settings(pageSize, tries, initial, max, requestTimeout);
        }
    }

    private final String base;
    private final Auth auth;
    private final PatientHash hash;
    private final Settings settings;
    private final JsonMapper json = JsonMapper.builder().build();

    /**
     * @param base the DICOMweb root, such as {@code https://pacs.example.org/dicom-web}; credentials go in
     *             {@code auth}, never in the URL
     * @param salt the salt the folder scan's {@link DicomReader} uses, for equal patient hashes
     */
    public DicomWebSource(URI base, Auth auth, byte[] salt, Settings settings) {
        if (base.getRawUserInfo() != null) {
            throw new IllegalArgumentException("Credentials belong in DicomWebSource.Auth, not in the DICOMweb URL");
        }
        if (!"http".equalsIgnoreCase(base.getScheme()) && !"https".equalsIgnoreCase(base.getScheme())) {
            throw new IllegalArgumentException(
                    "A DICOMweb root is an http or https URL, got scheme " + base.getScheme());
        }
        String root = base.toString();
        this.base = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
        this.auth = auth;
        this.hash = new PatientHash(salt);
        this.settings = settings;
    }

    @Override
    public Report read() {
        List<Instance> instances = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        try (HttpClient http = HttpClient.newBuilder()
                .connectTimeout(settings.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build()) {
            String studies = base + "/studies";
            search(http, studies, STUDY_UID, study -> {
                String studyUid = string(study, STUDY_UID);
                if (studyUid == null) {
                    skipped.add(new Skipped(studies, "a study without a Study Instance UID"));
                    return;
                }
                String seriesUrl = studies + "/" + segment(studyUid) + "/series";
                search(http, seriesUrl, SERIES_UID, series -> {
                    String seriesUid = string(series, SERIES_UID);
                    if (seriesUid == null) {
                        skipped.add(new Skipped(seriesUrl, "a series without a Series Instance UID"));
                        return;
                    }
                    String instancesUrl = seriesUrl + "/" + segment(seriesUid) + "/instances";
                    search(http, instancesUrl, SOP_UID, instance -> {
                        String sop = string(instance, SOP_UID);
                        String location = sop == null
                                ? instancesUrl + "#" + (instances.size() + skipped.size())
                                : instancesUrl + "/" + segment(sop);
                        try {
                            instances.add(new Instance(location, header(study, series, instance, studyUid, seriesUid)));
                        } catch (RuntimeException e) {
                            skipped.add(new Skipped(location, "malformed: " + e.getMessage()));
                        }
                    });
                });
            });
        }
        return new Report(instances, skipped);
    }

    /**
     * An instance rendered as a PNG image by the server (WADO-RS Retrieve Rendered, PS3.18 §9.5: its
     * {@code .../instances/{sop}/rendered}), for an image model to look at; empty when the server cannot
     * render it (not an image, a syntax it cannot decode) or does not answer. Only instance locations this
     * source gave are accepted.
     */
    public Optional<byte[]> rendered(String instanceLocation) {
        if (!instanceLocation.startsWith(base + "/studies/") || !instanceLocation.contains("/instances/")) {
            throw new IllegalArgumentException("not an instance of " + base + ": " + instanceLocation);
        }
        String url = instanceLocation + "/rendered";
        try (HttpClient http = HttpClient.newBuilder()
                .connectTimeout(settings.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build()) {
            HttpRequest request = HttpRequest.newBuilder(
                            request(url), (name, value) -> !name.equalsIgnoreCase("Accept"))
                    .header("Accept", "image/png")
                    .build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return response.statusCode() == 200 && response.body().length > 0
                    ? Optional.of(response.body())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The most bytes a rendered frame may have: as many as an uncompressed 64-megapixel RGB picture, and no more. */
    public static final int MAX_RENDERED = 192 * 1024 * 1024;

    /**
     * A frame rendered by the server (WADO-RS Retrieve Rendered, PS3.18 §9.5:
     * {@code .../instances/{sop}/frames/{frame}/rendered}), for an image model. It asks for PNG alone, lossless and
     * what every server renders (Orthanc's DICOMweb plugin answers 400 to an Accept that lists several types), and
     * takes a JPEG if that is what comes. Only instance locations this source
     * gave are accepted. Unlike {@link #rendered(String)} it says why it has no image: a {@link DicomWebException}
     * with the status (406 or 400 for a syntax the server cannot render, 404 for no such frame), or for an answer
     * that is not an image, or longer than {@link #MAX_RENDERED} bytes, which is not read past that.
     *
     * @param frame the frame number, from 1
     */
    public byte[] renderedFrame(String instanceLocation, int frame) {
        if (!instanceLocation.startsWith(base + "/studies/") || !instanceLocation.contains("/instances/")) {
            throw new IllegalArgumentException("not an instance of " + base + ": " + instanceLocation);
        }
        if (frame < 1) {
            throw new IllegalArgumentException("frames are numbered from 1, got " + frame);
        }
        String url = instanceLocation + "/frames/" + frame + "/rendered";
        try (HttpClient http = HttpClient.newBuilder()
                .connectTimeout(settings.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build()) {
            HttpRequest request = HttpRequest.newBuilder(
                            request(url), (name, value) -> !name.equalsIgnoreCase("Accept"))
                    .header("Accept", "image/png")
                    .build();
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new DicomWebException(
                            url, response.statusCode(), "the server did not render the frame", null);
                }
                byte[] bytes = body.readNBytes(MAX_RENDERED + 1);
                if (bytes.length > MAX_RENDERED) {
                    throw new DicomWebException(
                            url, 200, "the rendered frame is larger than " + MAX_RENDERED + " bytes", null);
                }
                if (!isPngOrJpeg(bytes)) {
                    throw new DicomWebException(url, 200, "the answer is not a PNG or JPEG image", null);
                }
                return bytes;
            }
        } catch (IOException e) {
            throw new DicomWebException(url, 0, "no answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DicomWebException(url, 0, "interrupted", e);
        }
    }

    /** By signature, not by Content-Type, which a server may get wrong. */
    static boolean isPngOrJpeg(byte[] bytes) {
        boolean png =
                bytes.length > 8 && (bytes[0] & 0xFF) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G';
        boolean jpeg =
                bytes.length > 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF;
        return png || jpeg;
    }

    /**
     * The instances of one series, by its study's and its own UID, with the same headers {@link #read()} gives for
     * them; a series the server does not hold gives an empty report.
     */
    public Report readSeries(String studyUid, String seriesUid) {
        List<Instance> instances = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        try (HttpClient http = HttpClient.newBuilder()
                .connectTimeout(settings.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build()) {
            String studies = base + "/studies";
            JsonNode study = first(http, studies + "?" + STUDY_UID + "=" + segment(studyUid) + "&");
            String seriesUrl = studies + "/" + segment(studyUid) + "/series";
            JsonNode series = first(http, seriesUrl + "?" + SERIES_UID + "=" + segment(seriesUid) + "&");
            String instancesUrl = seriesUrl + "/" + segment(seriesUid) + "/instances";
            search(http, instancesUrl, SOP_UID, instance -> {
                String sop = string(instance, SOP_UID);
                String location = sop == null
                        ? instancesUrl + "#" + (instances.size() + skipped.size())
                        : instancesUrl + "/" + segment(sop);
                try {
                    instances.add(new Instance(location, header(study, series, instance, studyUid, seriesUid)));
                } catch (RuntimeException e) {
                    skipped.add(new Skipped(location, "malformed: " + e.getMessage()));
                }
            });
        }
        return new Report(instances, skipped);
    }

    /** The first item a filtered search answers, or an empty object. */
    private JsonNode first(HttpClient http, String urlWithFilter) {
        JsonNode items = get(http, urlWithFilter + "includefield=" + String.join(",", FIELDS) + "&limit=1");
        return items.isEmpty() ? json.createObjectNode() : items.get(0);
    }

    /**
     * Every item of a search, page after page. A full page made only of items already seen means the server
     * ignores {@code offset}; that fails rather than looping forever.
     */
    private void search(HttpClient http, String url, String key, Consumer<JsonNode> each) {
        String fields = "includefield=" + String.join(",", FIELDS);
        Set<String> seen = new HashSet<>();
        int offset = 0;
        while (true) {
            String page = url + "?" + fields + "&limit=" + settings.pageSize() + "&offset=" + offset;
            JsonNode items = get(http, page);
            boolean anyNew = false;
            for (JsonNode item : items) {
                String id = string(item, key);
                anyNew |= seen.add(id != null ? id : item.toString());
                each.accept(item);
            }
            if (items.size() < settings.pageSize()) {
                return;
            }
            if (!anyNew) {
                throw new DicomWebException(
                        page, 200, "the server repeats a full page: it does not page with offset", null);
            }
            offset += items.size();
        }
    }

    /** One search's answer as a JSON array, retried as the settings say. */
    @SuppressForbidden("the pause between retries is the backoff the server asked for (Retry-After) or ours")
    private JsonNode get(HttpClient http, String url) {
        Duration backOff = settings.initialDelay();
        for (int attempt = 1; ; attempt++) {
            int status = 0;
            String failure;
            @Nullable Throwable cause = null;
            @Nullable Duration retryAfter = null;
            try {
                HttpResponse<byte[]> response = http.send(request(url), HttpResponse.BodyHandlers.ofByteArray());
                status = response.statusCode();
                if (status == 204) {
                    return json.createArrayNode();
                }
                if (status >= 200 && status < 300) {
                    return array(url, status, response.body());
                }
                if (status != 429 && status < 500) {
                    throw new DicomWebException(
                            url,
                            status,
                            status == 401 || status == 403
                                    ? "the server refused the credentials"
                                    : "the server refused the request",
                            null);
                }
                failure = "the server is unavailable or busy";
                retryAfter = response.headers()
                        .firstValue("Retry-After")
                        .map(DicomWebSource::seconds)
                        .orElse(null);
            } catch (IOException e) {
                failure = "no answer: " + e.getMessage();
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DicomWebException(url, 0, "interrupted", e);
            }
            if (attempt >= settings.attempts()) {
                throw new DicomWebException(
                        url, status, failure + ", after " + attempt + " attempt" + (attempt == 1 ? "" : "s"), cause);
            }
            Duration wait = retryAfter != null && retryAfter.compareTo(backOff) > 0 ? retryAfter : backOff;
            if (wait.compareTo(settings.maxDelay()) > 0) {
                wait = settings.maxDelay();
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DicomWebException(url, status, "interrupted while waiting to retry", e);
            }
            backOff = backOff.multipliedBy(2);
            if (backOff.compareTo(settings.maxDelay()) > 0) {
                backOff = settings.maxDelay();
            }
        }
    }

    private HttpRequest request(String url) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .GET()
                .timeout(settings.requestTimeout())
                .header("Accept", DICOM_JSON);
        switch (auth) {
            case Auth.None none -> {}
            case Auth.Basic basic ->
                request.header(
                        "Authorization",
                        "Basic "
                                + Base64.getEncoder()
                                        .encodeToString((basic.user() + ":" + basic.password())
                                                .getBytes(StandardCharsets.UTF_8)));
            case Auth.Bearer bearer -> {
                String token = bearer.token().get();
                if (token == null || token.isBlank()) {
                    throw new DicomWebException(url, 0, "the bearer token supplier gave no token", null);
                }
                request.header("Authorization", "Bearer " + token.strip());
            }
        }
        return request.build();
    }

    private JsonNode array(String url, int status, byte[] body) {
        if (body.length == 0) {
            return json.createArrayNode();
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            throw new DicomWebException(url, status, "the answer is not JSON: " + e.getOriginalMessage(), null);
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return json.createArrayNode();
        }
        if (!node.isArray()) {
            throw new DicomWebException(url, status, "the answer is not a DICOM JSON array", null);
        }
        return node;
    }

    /** Retry-After in seconds; an HTTP date, or anything else, is ignored in favour of the back-off. */
    private static @Nullable Duration seconds(String value) {
        try {
            long seconds = Long.parseLong(value.strip());
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String segment(String uid) {
        return URLEncoder.encode(uid, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** The header of one instance: its own attributes, then its series' and study's where they belong to those levels. */
    private DicomHeader header(JsonNode study, JsonNode series, JsonNode instance, String studyUid, String seriesUid) {
        Attributes a = new Attributes(study, series, instance);
        String instanceStudy = a.string(STUDY_UID);
        String instanceSeries = a.string(SERIES_UID);
        return new DicomHeader(
                a.string(TRANSFER_SYNTAX),
                instanceStudy != null ? instanceStudy : studyUid,
                instanceSeries != null ? instanceSeries : seriesUid,
                a.string(SOP_UID),
                a.string(MODALITY),
                a.string(BODY_PART),
                a.string(SERIES_DESCRIPTION),
                a.string(STUDY_DESCRIPTION),
                a.numbers(ORIENTATION),
                a.numbers(POSITION),
                a.number(SLICE_THICKNESS),
                a.integer(ROWS),
                a.integer(COLUMNS),
                a.integer(FRAMES),
                a.string(MANUFACTURER),
                hash.of(a.string(PATIENT_ID)),
                hash.of(a.string(PATIENT_NAME)));
    }

    /** The attribute values of an instance with its series' and study's beneath, level by level. */
    private record Attributes(JsonNode study, JsonNode series, JsonNode instance) {

        @Nullable
        JsonNode find(String tag) {
            JsonNode values = values(instance, tag);
            if (values == null && SERIES_LEVEL.contains(tag)) {
                values = values(series, tag);
            }
            if (values == null && STUDY_LEVEL.contains(tag)) {
                values = values(study, tag);
            }
            return values;
        }

        @Nullable
        String string(String tag) {
            return text(find(tag));
        }

        List<Double> numbers(String tag) {
            JsonNode values = find(tag);
            List<Double> numbers = new ArrayList<>();
            if (values != null) {
                for (JsonNode value : values) {
                    numbers.add(number(tag, value));
                }
            }
            return numbers;
        }

        @Nullable
        Double number(String tag) {
            JsonNode values = find(tag);
            return values == null ? null : number(tag, values.get(0));
        }

        @Nullable
        Integer integer(String tag) {
            JsonNode values = find(tag);
            if (values == null) {
                return null;
            }
            JsonNode value = values.get(0);
            if (value.isIntegralNumber()) {
                return value.intValue();
            }
            if (value.isString() && !value.asString().isBlank()) {
                return Integer.parseInt(value.asString().strip());
            }
            throw new IllegalArgumentException(tag + " is not an integer: " + value);
        }

        /** A number; a negative zero becomes zero, as the reader has it, since JSON writers often drop the sign. */
        private static double number(String tag, JsonNode value) {
            if (value.isNumber()) {
                return value.doubleValue() + 0.0;
            }
            if (value.isString() && !value.asString().isBlank()) {
                return Double.parseDouble(value.asString().strip()) + 0.0;
            }
            throw new IllegalArgumentException(tag + " is not a number: " + value);
        }
    }

    /** An attribute's Value array, or null when the attribute or its value is absent or empty. */
    private static @Nullable JsonNode values(JsonNode item, String tag) {
        JsonNode values = item.path(tag).path("Value");
        return values.isArray() && !values.isEmpty() ? values : null;
    }

    private static @Nullable String string(JsonNode item, String tag) {
        return text(values(item, tag));
    }

    /**
     * A value as the file holds it: several values joined with a backslash, a person name's alphabetic,
     * ideographic and phonetic groups joined with '=', stripped, null when blank.
     */
    private static @Nullable String text(@Nullable JsonNode values) {
        if (values == null) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode value : values) {
            parts.add(value.isObject() ? personName(value) : value.isNull() ? "" : value.asString());
        }
        String text = String.join("\\", parts).strip();
        return text.isEmpty() ? null : text;
    }

    private static String personName(JsonNode name) {
        List<String> groups = new ArrayList<>(List.of(
                name.path("Alphabetic").asString(""),
                name.path("Ideographic").asString(""),
                name.path("Phonetic").asString("")));
        while (!groups.isEmpty() && groups.getLast().isEmpty()) {
            groups.removeLast();
        }
        return String.join("=", groups);
    }
}
