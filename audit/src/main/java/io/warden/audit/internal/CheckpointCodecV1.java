package io.warden.audit.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;

/**
 * Version 1 of what a checkpoint signature covers: the RFC 8785 JSON
 * {@code {"firstSeq":..,"headHash":"<hex>","keyId":..,"lastSeq":..,"time":"..Z","v":1}}. Released; never edited.
 */
public final class CheckpointCodecV1 {

    private CheckpointCodecV1() {}

    /** What an export's signed header covers: where its chain starts and the range it was asked for. */
    public static byte[] exportHeaderPayload(long anchorSequence, byte[] anchorHash, long from, long to, String keyId) {
        return CanonicalJson.write(Map.of(
                        "v", 1L,
                        "kind", "export",
                        "anchorSequence", anchorSequence,
                        "anchorHash", HexFormat.of().formatHex(anchorHash),
                        "from", from,
                        "to", to,
                        "keyId", keyId))
                .getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] signedPayload(
            long firstSequence, long lastSequence, byte[] headHash, Instant time, String keyId) {
        return CanonicalJson.write(Map.of(
                        "v",
                        1L,
                        "firstSeq",
                        firstSequence,
                        "lastSeq",
                        lastSequence,
                        "headHash",
                        HexFormat.of().formatHex(headHash),
                        "time",
                        DateTimeFormatter.ISO_INSTANT.format(time),
                        "keyId",
                        keyId))
                .getBytes(StandardCharsets.UTF_8);
    }
}
