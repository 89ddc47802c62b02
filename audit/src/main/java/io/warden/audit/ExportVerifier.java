package io.warden.audit;

import io.warden.audit.internal.Chain;
import io.warden.audit.internal.ChainVerifier;
import io.warden.audit.internal.CheckpointCodecV1;
import io.warden.audit.internal.ExportVerifierFormats;
import io.warden.audit.internal.ExportVerifierFormats.Anchor;
import io.warden.audit.internal.ExportVerifierFormats.End;
import io.warden.audit.internal.ExportVerifierFormats.Event;
import io.warden.audit.internal.ExportVerifierFormats.Item;
import io.warden.audit.internal.ExportVerifierFormats.SignedCheckpoint;
import io.warden.audit.internal.SigningKeys;
import io.warden.audit.internal.anchoring.TimestampVerifier;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Verifies an exported audit file offline, with nothing but the public keys the auditor trusts: the
 * anchor must be the genesis or a checkpoint signed by a trusted key, every record must chain, every
 * checkpoint in the file must verify and match the chain. Any format Warden exports is accepted. It never
 * throws for a bad file: the result says what is wrong and where.
 *
 * <p>From the command line: {@code java -jar warden.jar verify-export --trust sha256:... --public-key key.pem export.ndjson}
 * (or {@code --keys keys.json} with the JWK set from {@code /api/v1/audit/keys}); exit status 0 when the file
 * verifies, 1 when it does not, 2 for a usage error. With {@code --tsa-cert tsa.pem} (the certificates of the
 * time-stamp authorities the auditor trusts) every checkpoint's RFC 3161 token is checked too, and the result
 * names the last anchored checkpoint.
 */
public final class ExportVerifier {

    private static final Pattern FINGERPRINT = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final byte[] ED25519_SPKI_PREFIX = {
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00
    };

    private ExportVerifier() {}

    public static Verification verify(Reader file, Map<String, PublicKey> trustedKeys) {
        return verify(file, trustedKeys, null);
    }

    /**
     * Verifies the file and, with trusted time-stamp authorities, every checkpoint's RFC 3161 token: a token that is
     * not theirs, covers other bytes or came too late fails the file.
     */
    public static Verification verify(
            Reader file, Map<String, PublicKey> trustedKeys, @Nullable TimestampVerifier timestamps) {
        ChainVerifier verifier = new ChainVerifier(trustedKeys, 0, timestamps);
        ChainVerifier.Run run = null;
        Anchor anchor = null;
        try {
            ExportVerifierFormats.Items items = ExportVerifierFormats.open(file);
            Item first = items.next();
            if (!(first instanceof Anchor start)) {
                return failed(0, 0, "malformed", "The file does not start with the export's anchor");
            }
            anchor = start;
            run = verifier.begin(anchor.sequence(), anchor.hash());
            if (!headerSigned(anchor, trustedKeys)) {
                run.fail(
                        anchor.sequence() + 1,
                        "anchor-invalid",
                        "The export's header is not signed by a trusted key, or was changed after signing");
            } else if (anchor.sequence() == 0) {
                if (!Arrays.equals(anchor.hash(), Chain.GENESIS)) {
                    run.fail(
                            1,
                            "anchor-invalid",
                            "An export from the start of the chain must anchor on the genesis hash");
                }
            } else {
                Item proof = items.next();
                if (!(proof instanceof SignedCheckpoint signed)
                        || signed.checkpoint().lastSequence() != anchor.sequence()
                        || !Arrays.equals(signed.checkpoint().headHash(), anchor.hash())
                        || !verifier.signatureValid(signed.checkpoint())) {
                    run.fail(
                            anchor.sequence() + 1,
                            "anchor-unproven",
                            "The anchor at " + anchor.sequence()
                                    + " is not followed by a checkpoint that a trusted key signed for it");
                }
            }
            Long claimed = null;
            for (Item item = items.next(); item != null; item = items.next()) {
                boolean ok = switch (item) {
                    case Event event ->
                        run.row(new ChainVerifier.Row(event.sequence(), event.canonical(), event.hash()));
                    case SignedCheckpoint signed ->
                        run.checkpoint(signed.checkpoint())
                                && (signed.timestamp() == null
                                        || run.timestamp(signed.checkpoint(), signed.timestamp()));
                    case End end -> {
                        claimed = end.events();
                        yield true;
                    }
                    case Anchor extra -> run.fail(run.expected(), "malformed", "A second anchor in the file");
                };
                if (!ok) {
                    break;
                }
            }
            Verification result = run.finish(anchor.from(), anchor.to());
            if (result.valid() && claimed != null && claimed != result.eventsChecked()) {
                return new Verification(
                        false,
                        result.from(),
                        result.to(),
                        result.eventsChecked(),
                        result.checkpointsChecked(),
                        result.lastSignedSequence(),
                        anchor.to(),
                        "malformed",
                        "The file says it holds " + claimed + " events but holds " + result.eventsChecked(),
                        result.anchorsChecked(),
                        result.lastAnchoredSequence(),
                        result.lastAnchoredAt());
            }
            return result;
        } catch (ExportVerifierFormats.Malformed e) {
            return malformed(run, anchor, Objects.requireNonNullElse(e.getMessage(), "the file is malformed"));
        } catch (IOException | RuntimeException e) {
            return malformed(
                    run, anchor, "the file could not be read: " + e.getClass().getSimpleName());
        }
    }

    private static boolean headerSigned(Anchor anchor, Map<String, PublicKey> keys) {
        PublicKey key = keys.get(anchor.keyId());
        if (key == null) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(CheckpointCodecV1.exportHeaderPayload(
                    anchor.sequence(), anchor.hash(), anchor.from(), anchor.to(), anchor.keyId()));
            return verifier.verify(anchor.signature());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Verification malformed(ChainVerifier.@Nullable Run run, @Nullable Anchor anchor, String message) {
        if (run == null || anchor == null) {
            return failed(0, 0, "malformed", message);
        }
        run.fail(run.expected(), "malformed", message);
        return run.finish(anchor.from(), anchor.to());
    }

    private static Verification failed(long from, long to, String problem, String detail) {
        return new Verification(false, from, to, 0, 0, 0, from, problem, detail, 0, 0, null);
    }

    /** Public keys from a PEM file (one key) or from a JWK set as {@code /api/v1/audit/keys} serves it. */
    public static Map<String, PublicKey> readKeys(Path file) throws IOException, GeneralSecurityException {
        String text = Files.readString(file);
        Map<String, PublicKey> keys = new HashMap<>();
        if (text.contains("-----BEGIN PUBLIC KEY-----")) {
            PublicKey key = SigningKeys.publicKeyFromPem(text);
            keys.put(SigningKeys.keyId(key), key);
            return keys;
        }
        JsonNode jwks = JsonMapper.builder().build().readTree(text);
        for (JsonNode jwk : jwks.get("keys")) {
            byte[] raw = Base64.getUrlDecoder().decode(jwk.get("x").asString());
            byte[] spki = Arrays.copyOf(ED25519_SPKI_PREFIX, ED25519_SPKI_PREFIX.length + raw.length);
            System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, raw.length);
            PublicKey key = SigningKeys.publicKeyFromDer(spki);
            keys.put(SigningKeys.keyId(key), key);
        }
        return keys;
    }

    /**
     * The command line: {@code [--trust sha256:HEX]... [--public-key FILE | --keys FILE]... EXPORT}. With
     * {@code --trust}, only given keys whose fingerprint is pinned are trusted; without it every given key
     * is, and a warning says so, since a key list fetched from the server proves nothing by itself.
     * Returns the exit status.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<Path> keyFiles = new ArrayList<>();
        List<Path> tsaCertificates = new ArrayList<>();
        Duration maxAnchorDelay = Duration.ofHours(24);
        Set<String> pinned = new LinkedHashSet<>();
        Path export = null;
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--public-key") || args[i].equals("--keys")) && i + 1 < args.length) {
                keyFiles.add(Path.of(args[++i]));
            } else if (args[i].equals("--tsa-cert") && i + 1 < args.length) {
                tsaCertificates.add(Path.of(args[++i]));
            } else if (args[i].equals("--max-anchor-delay") && i + 1 < args.length) {
                try {
                    maxAnchorDelay = Duration.parse(args[++i]);
                } catch (DateTimeParseException e) {
                    err.println("--max-anchor-delay takes an ISO-8601 duration such as PT24H, got: " + args[i]);
                    return usage(err);
                }
            } else if (args[i].equals("--trust") && i + 1 < args.length) {
                String fingerprint = args[++i].toLowerCase(Locale.ROOT);
                if (!FINGERPRINT.matcher(fingerprint).matches()) {
                    err.println("--trust takes a key fingerprint, sha256: and 64 hex digits, got: " + args[i]);
                    return usage(err);
                }
                pinned.add(fingerprint);
            } else if (!args[i].startsWith("--") && export == null) {
                export = Path.of(args[i]);
            } else {
                err.println("unknown argument: " + args[i]);
                return usage(err);
            }
        }
        if (export == null || keyFiles.isEmpty()) {
            return usage(err);
        }
        Map<String, PublicKey> given = new HashMap<>();
        for (Path file : keyFiles) {
            try {
                given.putAll(readKeys(file));
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                err.println(
                        "cannot read the public key " + file + ": it must be an Ed25519 X.509 PEM key or a JWK set");
                return 2;
            }
        }
        Map<String, PublicKey> keys = new HashMap<>();
        if (pinned.isEmpty()) {
            err.println("WARNING: no key fingerprint was pinned with --trust sha256:...: every given key is trusted,");
            err.println("WARNING: so this proves only that the export matches those keys, not that Warden signed it.");
            err.println(
                    "WARNING: pin the fingerprints Warden logs at start (\"Audit key ... fingerprint sha256:...\").");
            keys.putAll(given);
        } else {
            given.forEach((id, key) -> {
                if (pinned.contains(SigningKeys.fingerprint(key))) {
                    keys.put(id, key);
                } else {
                    err.println("ignoring key " + id + " (" + SigningKeys.fingerprint(key)
                            + "): its fingerprint is not pinned");
                }
            });
            if (keys.isEmpty()) {
                out.println(
                        "INVALID: none of the given keys has a pinned fingerprint (" + String.join(", ", pinned) + ")");
                return 1;
            }
        }
        TimestampVerifier timestamps = null;
        if (!tsaCertificates.isEmpty()) {
            try {
                List<X509Certificate> certificates = TimestampVerifier.readCertificates(tsaCertificates);
                timestamps = new TimestampVerifier(certificates, maxAnchorDelay);
                for (X509Certificate certificate : certificates) {
                    err.println("trusting the time-stamp authority "
                            + certificate.getSubjectX500Principal().getName() + " ("
                            + TimestampVerifier.fingerprint(certificate) + ")");
                }
            } catch (IOException | IllegalArgumentException e) {
                err.println("cannot read the TSA certificates: " + e.getMessage());
                return 2;
            }
        } else {
            err.println("NOTE: no --tsa-cert given: RFC 3161 time-stamp tokens in the file are not checked.");
        }
        Verification result;
        try (Reader reader = Files.newBufferedReader(export, StandardCharsets.UTF_8)) {
            result = verify(reader, keys, timestamps);
        } catch (IOException e) {
            err.println("cannot read " + export + ": " + e.getMessage());
            return 2;
        }
        if (result.valid()) {
            out.printf(
                    Locale.ROOT,
                    "VALID: records %d..%d, %d events, %d signed checkpoints; signed up to %d%s%n",
                    result.from(),
                    result.to(),
                    result.eventsChecked(),
                    result.checkpointsChecked(),
                    result.lastSignedSequence(),
                    timestamps == null
                            ? ""
                            : result.anchorsChecked() == 0
                                    ? "; no anchored checkpoint"
                                    : "; " + result.anchorsChecked() + " time-stamps; anchored up to "
                                            + result.lastAnchoredSequence() + " at " + result.lastAnchoredAt());
            return 0;
        }
        out.printf(
                Locale.ROOT,
                "INVALID at sequence %d: %s: %s%n",
                result.firstBadSequence(),
                result.problem(),
                result.detail());
        return 1;
    }

    private static int usage(PrintStream err) {
        err.println("usage: verify-export [--trust sha256:FINGERPRINT]... --public-key KEY.pem [--keys JWKS.json]... "
                + "[--tsa-cert TSA.pem]... [--max-anchor-delay PT24H] EXPORT_FILE");
        return 2;
    }
}
