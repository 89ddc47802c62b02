package io.warden.policy.internal;

import io.warden.clinical.SeriesVectors;
import io.warden.clinical.VolumeEmbeddings;
import io.warden.policy.GatewayDenied;
import io.warden.policy.GatewayRequest;
import io.warden.policy.ReasonCodes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What each built-in tool takes: its JSON Schema as agents see it listed, the queries it accepts, and the caps on
 * what an agent may upload with a call (images and DICOM instances arrive base64 in JSON over REST and MCP). Both
 * edges decode uploads here, so a call is refused the same way, naming the same field, whichever way it came.
 */
public final class BuiltinTools {

    public static final String TEXT_SEARCH = "text-search";
    public static final String IMAGE_SEARCH = "image-search";
    public static final String CLASSIFY = "classify";
    public static final String COHORT_SEARCH = CohortSearch.TOOL;
    public static final String VOLUME_SEARCH = "volume-search";
    /** The nearest labelled cases put before a chat-completions model, itself a governed tool (RagClassifier). */
    public static final String RAG_CLASSIFY = "rag-classify";

    /**
     * The largest image a call may carry, decoded: its base64 fits the application's default request body limit
     * ({@code warden.http.max-body-size}, 1 MB) with room for the rest of the call, so the refusal names this field
     * instead of the body. Photographs for a k-NN vote are scaled to the model's input size (224 pixels) anyway.
     */
    public static final int MAX_IMAGE_BYTES = 512 * 1024;
    /** The most DICOM instances one volume-search may upload (a long CT series has a few hundred slices). */
    public static final int MAX_INSTANCES = 1_000;
    /**
     * The most bytes of all uploaded instances of one call together, decoded. A series this large needs
     * {@code warden.http.max-body-size} (and the MCP edge's request limit) raised; by default the body limit refuses
     * it first, with 413.
     */
    public static final int MAX_SERIES_BYTES = 64 * 1024 * 1024;
    /** Base64 characters that decode to at most {@link #MAX_IMAGE_BYTES}. */
    public static final int MAX_IMAGE_CHARS = (MAX_IMAGE_BYTES + 2) / 3 * 4;

    /** The label key a vote reads when the collection's catalog entry names none. */
    static final String DEFAULT_LABEL_FIELD = "label";

    private BuiltinTools() {}

    /** The base64 upload decoded, or refused naming {@code field}: not base64, or larger than {@code maxBytes}. */
    public static byte[] decode(String field, String base64, int maxBytes) {
        // a cheap bound first: the text is never decoded when its length already says it is too large
        if ((long) base64.length() / 4 * 3 > maxBytes + 2L) {
            throw tooLarge(field, maxBytes);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw GatewayDenied.invalidField(
                    List.of(ReasonCodes.INVALID_REQUEST, "invalid-base64"),
                    field,
                    field + " is not base64: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw GatewayDenied.invalidField(
                    List.of(ReasonCodes.INVALID_REQUEST, "empty-upload"), field, field + " is empty");
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(field, maxBytes);
        }
        return bytes;
    }

    private static GatewayDenied tooLarge(String field, int maxBytes) {
        return GatewayDenied.invalidField(
                List.of(ReasonCodes.INVALID_REQUEST, "upload-too-large"),
                field,
                field + " is larger than " + maxBytes + " bytes");
    }

    /** Uploaded instances decoded, each refused naming its index ({@code series.instances[3]}), within the caps. */
    public static SeriesVectors.Uploaded instances(String field, List<String> base64) {
        if (base64.isEmpty() || base64.size() > MAX_INSTANCES) {
            throw GatewayDenied.invalidField(
                    List.of(ReasonCodes.INVALID_REQUEST, base64.isEmpty() ? "empty-upload" : "upload-too-large"),
                    field,
                    field + " holds 1 to " + MAX_INSTANCES + " instances, not " + base64.size());
        }
        List<byte[]> instances = new ArrayList<>(base64.size());
        long total = 0;
        for (int i = 0; i < base64.size(); i++) {
            byte[] instance = decode(field + "[" + i + "]", base64.get(i), MAX_SERIES_BYTES);
            total += instance.length;
            if (total > MAX_SERIES_BYTES) {
                throw tooLarge(field, MAX_SERIES_BYTES);
            }
            instances.add(instance);
        }
        return new SeriesVectors.Uploaded(instances);
    }

    /** A series of a DICOMweb data source, each UID refused naming its field when missing or malformed. */
    public static SeriesVectors.DicomWeb dicomWeb(
            @Nullable String source, @Nullable String studyUid, @Nullable String seriesUid) {
        if (source == null || !source.matches("[a-z0-9][a-z0-9-]{0,62}")) {
            throw GatewayDenied.invalidField(
                    List.of(ReasonCodes.INVALID_REQUEST),
                    "series.source",
                    "series.source is a registered data source's key, or series.instances are uploaded");
        }
        return new SeriesVectors.DicomWeb(source, uid("series.studyUid", studyUid), uid("series.seriesUid", seriesUid));
    }

    /** A DICOM UID: digits in dot-separated components, at most 64 characters (PS3.5 9.1). */
    private static String uid(String field, @Nullable String uid) {
        if (uid == null || uid.length() > 64 || !uid.matches("[0-9]+(\\.[0-9]+)*")) {
            throw GatewayDenied.invalidField(
                    List.of(ReasonCodes.INVALID_REQUEST),
                    field,
                    field + " is a DICOM UID (digits and dots, at most 64)");
        }
        return uid;
    }

    /** The aggregation named, or refused naming {@code field}. */
    public static VolumeEmbeddings.@Nullable Aggregation aggregation(String field, @Nullable String name) {
        if (name == null) {
            return null;
        }
        try {
            return VolumeEmbeddings.Aggregation.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw GatewayDenied.invalidField(
                    List.of(ReasonCodes.INVALID_REQUEST),
                    field,
                    field + " is one of " + Arrays.toString(VolumeEmbeddings.Aggregation.values()));
        }
    }

    /** What is wrong with a call's query for this tool: the field at fault and why; null when it is valid. */
    record Invalid(String field, String message) {}

    static @Nullable Invalid invalid(String tool, GatewayRequest request) {
        List<String> given = new ArrayList<>();
        if (request.text() != null) {
            given.add("text");
        }
        if (request.vector() != null) {
            given.add("vector");
        }
        if (request.image() != null) {
            given.add("image");
        }
        if (request.series() != null) {
            given.add("series");
        }
        List<String> accepted = queries(tool);
        for (String query : given) {
            if (!accepted.contains(query)) {
                return new Invalid(query, tool + " takes " + String.join(" or ", accepted) + ", not " + query);
            }
        }
        if (given.size() > 1) {
            return new Invalid(given.get(1), tool + " takes one of " + given + ", not several");
        }
        if (given.isEmpty() || (request.text() != null && request.text().isBlank())) {
            return new Invalid(accepted.getFirst(), tool + " needs a " + String.join(" or a ", accepted));
        }
        return null;
    }

    /** The queries a tool accepts, the one it is mostly called with first. */
    static List<String> queries(String tool) {
        return switch (tool) {
            case IMAGE_SEARCH -> List.of("image", "vector");
            case CLASSIFY -> List.of("text", "image", "vector");
            case RAG_CLASSIFY -> List.of("text", "image");
            case VOLUME_SEARCH -> List.of("series", "vector");
            default -> List.of("text", "vector");
        };
    }

    /** The JSON Schema of a built-in tool's arguments, with the dataset and purpose the gateway decides on. */
    static Map<String, Object> schema(String tool, int maxK) {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("collection", Map.of("type", "string", "maxLength", 63, "description", "The collection"));
        properties.put(
                "dataset", Map.of("type", "string", "maxLength", 63, "description", "The data scope the call reads"));
        properties.put(
                "purposeOfUse",
                Map.of("type", "string", "maxLength", 20, "description", "An HL7 v3 PurposeOfUse code, e.g. TREAT"));
        List<String> queries = queries(tool);
        if (queries.contains("text")) {
            properties.put(
                    "text",
                    Map.of(
                            "type",
                            "string",
                            "minLength",
                            1,
                            "maxLength",
                            4000,
                            "description",
                            "The query text, embedded with the collection's text model"));
        }
        if (queries.contains("image")) {
            properties.put(
                    "image",
                    Map.of(
                            "type",
                            "string",
                            "contentEncoding",
                            "base64",
                            "contentMediaType",
                            "image/png",
                            "maxLength",
                            MAX_IMAGE_CHARS,
                            "description",
                            "A PNG or JPEG image, base64, at most " + MAX_IMAGE_BYTES
                                    + " bytes; embedded with the collection's image model"));
        }
        if (queries.contains("series")) {
            Map<String, Object> series = new LinkedHashMap<>();
            series.put("type", "object");
            series.put(
                    "description",
                    "A DICOM series: the instances uploaded (base64 Part 10 files), or a series of a registered"
                            + " DICOMweb data source");
            series.put(
                    "properties",
                    Map.of(
                            "instances",
                            Map.of(
                                    "type",
                                    "array",
                                    "minItems",
                                    1,
                                    "maxItems",
                                    MAX_INSTANCES,
                                    "items",
                                    Map.of("type", "string", "contentEncoding", "base64")),
                            "source",
                            Map.of("type", "string", "description", "The DICOMweb data source's key"),
                            "studyUid",
                            Map.of("type", "string", "maxLength", 64),
                            "seriesUid",
                            Map.of("type", "string", "maxLength", 64)));
            properties.put("series", series);
            properties.put(
                    "aggregation",
                    Map.of(
                            "type",
                            "string",
                            "enum",
                            Arrays.stream(VolumeEmbeddings.Aggregation.values())
                                    .map(Enum::name)
                                    .toList(),
                            "default",
                            "MEDIAN",
                            "description",
                            "How slice embeddings combine into the volume's"));
        }
        properties.put(
                "vector",
                Map.of(
                        "type",
                        "array",
                        "items",
                        Map.of("type", "number"),
                        "description",
                        "A ready query vector of the collection's dimension"));
        properties.put(
                "k",
                Map.of(
                        "type",
                        "integer",
                        "minimum",
                        1,
                        "maximum",
                        maxK,
                        "default",
                        10,
                        "description",
                        tool.equals(CLASSIFY) ? "How many neighbours vote" : "How many results"));
        if (tool.equals(CLASSIFY)) {
            properties.put(
                    "weighted",
                    Map.of(
                            "type",
                            "boolean",
                            "default",
                            false,
                            "description",
                            "Weigh each neighbour's vote by its similarity"));
        }
        properties.put("filter", Map.of("type", "object", "additionalProperties", Map.of("type", "string")));
        List<String> required = List.of("collection", "dataset");
        if (tool.equals(RAG_CLASSIFY)) {
            properties.put(
                    "model",
                    Map.of(
                            "type",
                            "string",
                            "maxLength",
                            63,
                            "description",
                            "The chat-completions tool (an HTTP tool this agent is granted) that answers"));
            properties.put(
                    "modelName",
                    Map.of(
                            "type",
                            "string",
                            "maxLength",
                            200,
                            "description",
                            "The model the backend is asked for (its \"model\"); the tool's key when not given"));
            required = List.of("collection", "dataset", "model");
        }
        List<Map<String, Object>> oneOf = queries.stream()
                .map(query -> Map.<String, Object>of("required", List.of(query)))
                .toList();
        return Map.of("type", "object", "properties", properties, "required", required, "oneOf", oneOf);
    }
}
