package io.warden.audit;

import java.time.Instant;
import java.util.HexFormat;

/**
 * A signed statement that the chain from {@code firstSequence} to {@code lastSequence} ends in
 * {@code headHash}. The signature is Ed25519 over the checkpoint's canonical JSON (see
 * {@code CheckpointCodec}), by the key {@code keyId}.
 */
public record Checkpoint(
        long firstSequence, long lastSequence, byte[] headHash, Instant time, String keyId, byte[] signature) {

    public String headHashHex() {
        return HexFormat.of().formatHex(headHash);
    }
}
