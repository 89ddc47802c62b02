package io.warden.specialist;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What the specialist runs with: where Warden is, who it is, what it may state, and the question. Built from
 * command-line flags, each with an environment variable as its fallback; a missing or malformed value is a
 * {@link Invalid} naming the flag and the variable to set. The secret is read from a file or the environment, never
 * from a flag (a flag is visible to every user of the machine).
 *
 * @param warden Warden's base URL, without a trailing slash
 * @param clientId the agent's OAuth client id
 * @param secret the agent's client secret
 * @param dataset the data scope every call states ({@code io.warden/dataset})
 * @param purposeOfUse the HL7 v3 PurposeOfUse every call states ({@code io.warden/purposeOfUse})
 * @param collection the governed collection searched and voted on
 * @param k how many similar cases to ask for
 * @param text the question's text, or null when an image is given
 * @param image a PNG or JPEG to search by, or null
 * @param timeout how long one MCP request may take
 * @param ragModel the chat-completions tool {@code rag-classify} asks (its {@code model} argument); without it the
 *                 specialist does not call {@code rag-classify}
 */
public record SpecialistSettings(
        URI warden,
        String clientId,
        String secret,
        String dataset,
        String purposeOfUse,
        String collection,
        int k,
        @Nullable String text,
        @Nullable Path image,
        Duration timeout,
        @Nullable String ragModel) {

    /** The usage text printed on {@code --help} and after an invalid setting. */
    public static final String USAGE = """
            imaging-specialist: find similar cases and the likely finding, through Warden only.

              --warden-url URL      Warden's base URL               (WARDEN_URL, default http://localhost:8080)
              --client-id ID        the agent's client id            (WARDEN_CLIENT_ID)
              --secret-file FILE    a file holding its client secret (WARDEN_CLIENT_SECRET_FILE, or WARDEN_CLIENT_SECRET)
              --dataset SCOPE       the data scope stated on calls   (WARDEN_DATASET, default radiology-reports-deid)
              --purpose CODE        HL7 v3 PurposeOfUse              (WARDEN_PURPOSE, default TREAT)
              --collection NAME     the collection searched          (WARDEN_COLLECTION, default demo-radiology-findings)
              --k N                 similar cases to ask for, 1-50   (default 5)
              --text TEXT           the question's text
              --image FILE          a PNG or JPEG to search by (image-search) instead of a text
              --timeout SECONDS     per MCP request                  (default 30)
              --rag-model TOOL      the chat-model tool rag-classify asks (WARDEN_RAG_MODEL); without it, no RAG step

            Exit status: 0 answered, 3 Warden refused a step, 2 invalid settings, 1 Warden unreachable or answered
            badly.""";

    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern PURPOSE = Pattern.compile("[A-Z]{2,20}");
    private static final int MAX_TEXT = 4000;

    /** A setting that is missing or malformed; the message names the flag and what to set. */
    public static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    public SpecialistSettings {
        if (k < 1 || k > 50) {
            throw new Invalid("--k is between 1 and 50, not " + k);
        }
        if ((text == null) == (image == null)) {
            throw new Invalid("give the question as --text TEXT or --image FILE (one of them)");
        }
    }

    /** The settings from {@code args}, falling back to {@code env} for each; throws {@link Invalid}. */
    public static SpecialistSettings parse(String[] args, Map<String, String> env) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (!flag.startsWith("--") || i + 1 >= args.length) {
                throw new Invalid(flag.startsWith("--") ? flag + " needs a value" : "unexpected argument: " + flag);
            }
            if (flag.equals("--secret")) {
                throw new Invalid("the secret is not taken as a flag (other users see flags): use --secret-file FILE"
                        + " or WARDEN_CLIENT_SECRET");
            }
            flags.put(flag.substring(2), args[++i]);
        }
        for (String name : flags.keySet()) {
            if (!USAGE.contains("--" + name + " ")) {
                throw new Invalid("unknown flag --" + name);
            }
        }
        String warden = value(flags, env, "warden-url", "WARDEN_URL", "http://localhost:8080");
        String clientId = required(flags, env, "client-id", "WARDEN_CLIENT_ID");
        String dataset = value(flags, env, "dataset", "WARDEN_DATASET", "radiology-reports-deid");
        String purpose = value(flags, env, "purpose", "WARDEN_PURPOSE", "TREAT").toUpperCase(Locale.ROOT);
        String collection = value(flags, env, "collection", "WARDEN_COLLECTION", "demo-radiology-findings");
        if (!KEY.matcher(dataset).matches()) {
            throw new Invalid("--dataset is a data scope key (lower-case letters, digits, '-'), not " + dataset);
        }
        if (!KEY.matcher(collection).matches()) {
            throw new Invalid("--collection is a collection name (lower-case letters, digits, '-'), not " + collection);
        }
        if (!PURPOSE.matcher(purpose).matches()) {
            throw new Invalid("--purpose is an HL7 v3 PurposeOfUse code such as TREAT or HRESCH, not " + purpose);
        }
        String text = flags.get("text");
        if (text != null && (text.isBlank() || text.length() > MAX_TEXT)) {
            throw new Invalid("--text is 1 to " + MAX_TEXT + " characters");
        }
        String image = flags.get("image");
        return new SpecialistSettings(
                uri(warden),
                clientId,
                secret(flags, env),
                dataset,
                purpose,
                collection,
                integer(flags.getOrDefault("k", "5"), "--k"),
                text,
                image == null ? null : readable(Path.of(image), "--image"),
                Duration.ofSeconds(integer(flags.getOrDefault("timeout", "30"), "--timeout")),
                ragModel(flags, env));
    }

    private static @Nullable String ragModel(Map<String, String> flags, Map<String, String> env) {
        String model = flags.containsKey("rag-model") ? flags.get("rag-model") : env.get("WARDEN_RAG_MODEL");
        if (model == null || model.isBlank()) {
            return null;
        }
        if (!KEY.matcher(model).matches()) {
            throw new Invalid("--rag-model is a tool key (lower-case letters, digits, '-'), not " + model);
        }
        return model;
    }

    /** These settings asking another question: the same agent, dataset and purpose. */
    public SpecialistSettings asking(@Nullable String text, @Nullable Path image) {
        return new SpecialistSettings(
                warden, clientId, secret, dataset, purposeOfUse, collection, k, text, image, timeout, ragModel);
    }

    @Override
    public String toString() {
        // the secret stays out of logs and error messages
        return "SpecialistSettings[warden=" + warden + ", clientId=" + clientId + ", dataset=" + dataset
                + ", purposeOfUse=" + purposeOfUse + ", collection=" + collection + ", k=" + k + ", ragModel="
                + ragModel
                + "]";
    }

    private static String secret(Map<String, String> flags, Map<String, String> env) {
        String file = flags.getOrDefault("secret-file", env.get("WARDEN_CLIENT_SECRET_FILE"));
        if (file != null) {
            try {
                String secret = Files.readString(readable(Path.of(file), "--secret-file"), StandardCharsets.UTF_8)
                        .strip();
                if (secret.isEmpty()) {
                    throw new Invalid("--secret-file " + file + " is empty");
                }
                return secret;
            } catch (IOException e) {
                throw new Invalid("--secret-file " + file + " cannot be read: " + e.getMessage());
            }
        }
        String secret = env.get("WARDEN_CLIENT_SECRET");
        if (secret == null || secret.isBlank()) {
            throw new Invalid("the client secret is missing: set --secret-file FILE, WARDEN_CLIENT_SECRET_FILE or"
                    + " WARDEN_CLIENT_SECRET");
        }
        return secret.strip();
    }

    private static Path readable(Path path, String flag) {
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new Invalid(flag + " " + path + " is not a readable file");
        }
        return path;
    }

    private static URI uri(String value) {
        try {
            URI uri = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new Invalid("--warden-url is an http(s) URL such as http://localhost:8080, not " + value);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new Invalid("--warden-url is an http(s) URL such as http://localhost:8080, not " + value);
        }
    }

    private static int integer(String value, String flag) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < 1) {
                throw new Invalid(flag + " is a positive number, not " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new Invalid(flag + " is a number, not " + value);
        }
    }

    private static String value(
            Map<String, String> flags, Map<String, String> env, String flag, String variable, String fallback) {
        String value = flags.getOrDefault(flag, env.get(variable));
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    private static String required(Map<String, String> flags, Map<String, String> env, String flag, String variable) {
        String value = flags.getOrDefault(flag, env.get(variable));
        if (value == null || value.isBlank()) {
            throw new Invalid("--" + flag + " is missing: set --" + flag + " or " + variable);
        }
        return value.strip();
    }
}
