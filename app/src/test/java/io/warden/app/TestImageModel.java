package io.warden.app;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An ONNX image encoder built here byte by byte (no image model weights can be downloaded in the tests): the
 * per-channel average of the normalised pixels of an 8×8 input, so a solid colour embeds as its normalised channels
 * and the nearest neighbours of a photograph are those of its colour. Named {@value #NAME}.
 */
final class TestImageModel {

    static final String NAME = "average-colour";

    private TestImageModel() {}

    static byte[] averagePoolModel() {
        byte[] pool =
                message(bytes(1, "pixel_values"), bytes(2, "pooled"), bytes(3, "pool"), bytes(4, "GlobalAveragePool"));
        byte[] flatten =
                message(bytes(1, "pooled"), bytes(2, "image_embeds"), bytes(3, "flatten"), bytes(4, "Flatten"));
        byte[] input = valueInfo("pixel_values", dimParam("batch"), dimValue(3), dimValue(8), dimValue(8));
        byte[] output = valueInfo("image_embeds", dimParam("batch"), dimValue(3));
        byte[] graph = message(
                field(1, pool), field(1, flatten), bytes(2, "average-colour"), field(11, input), field(12, output));
        byte[] opset = message(bytes(1, ""), varintField(2, 13));
        return message(varintField(1, 8), field(8, opset), field(7, graph));
    }

    static byte[] valueInfo(String name, byte[]... dims) {
        byte[] shape = message(Arrays.stream(dims).map(dim -> field(1, dim)).toArray(byte[][]::new));
        byte[] tensor = message(varintField(1, 1), field(2, shape));
        return message(bytes(1, name), field(2, message(field(1, tensor))));
    }

    static byte[] dimValue(long value) {
        return message(varintField(1, value));
    }

    static byte[] dimParam(String name) {
        return message(bytes(2, name));
    }

    static byte[] message(byte[]... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : fields) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    static byte[] bytes(int number, String text) {
        return field(number, text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] field(int number, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) number << 3 | 2);
        varint(out, payload.length);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static byte[] varintField(int number, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) number << 3);
        varint(out, value);
        return out.toByteArray();
    }

    static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
