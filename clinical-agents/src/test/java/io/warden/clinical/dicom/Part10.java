package io.warden.clinical.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Test data: a DICOM Part 10 file in explicit VR little endian (the data set too, whatever syntax the meta names, so
 * that a compressed syntax can be declared over native pixels), from attributes by tag: an Integer is a US, a String
 * is written with its tag's VR. Pixel Data is OW, with its true length or one declared.
 */
public final class Part10 {

    private static final Set<Integer> DECIMALS =
            Set.of(0x00281050, 0x00281051, 0x00281052, 0x00281053, 0x00200032, 0x00200037, 0x00180050);
    private static final Set<Integer> UIDS = Set.of(0x00080018, 0x0020000D, 0x0020000E, 0x00080016);
    private static final Set<Integer> CODES = Set.of(0x00080060, 0x00280004, 0x00180015);
    private static final Set<Integer> INTEGERS = Set.of(0x00200013, 0x00280008);

    private Part10() {}

    public static byte[] file(String transferSyntax, Map<Integer, Object> attributes, byte[] pixels) {
        return file(transferSyntax, attributes, pixels, pixels.length);
    }

    /** @param declared the length Pixel Data's header states, whatever follows it; -1 for undefined */
    public static byte[] file(String transferSyntax, Map<Integer, Object> attributes, byte[] pixels, long declared) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] preamble = new byte[132];
        preamble[128] = 'D';
        preamble[129] = 'I';
        preamble[130] = 'C';
        preamble[131] = 'M';
        out.writeBytes(preamble);
        out.writeBytes(element(0x00020010, "UI", padded(transferSyntax, (byte) 0)));
        for (Map.Entry<Integer, Object> attribute : new TreeMap<>(attributes).entrySet()) {
            int tag = attribute.getKey();
            if (attribute.getValue() instanceof Integer number) {
                out.writeBytes(element(
                        tag,
                        "US",
                        ByteBuffer.allocate(2)
                                .order(ByteOrder.LITTLE_ENDIAN)
                                .putShort(number.shortValue())
                                .array()));
            } else {
                String vr = UIDS.contains(tag)
                        ? "UI"
                        : DECIMALS.contains(tag)
                                ? "DS"
                                : CODES.contains(tag) ? "CS" : INTEGERS.contains(tag) ? "IS" : "LO";
                out.writeBytes(
                        element(tag, vr, padded(attribute.getValue().toString(), vr.equals("UI") ? 0 : (byte) ' ')));
            }
        }
        out.writeBytes(ByteBuffer.allocate(12)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) 0x7FE0)
                .putShort((short) 0x0010)
                .put("OW".getBytes(StandardCharsets.US_ASCII))
                .putShort((short) 0)
                .putInt((int) declared)
                .array());
        out.writeBytes(pixels);
        return out.toByteArray();
    }

    private static byte[] padded(String text, byte pad) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length % 2 == 0) {
            return bytes;
        }
        byte[] even = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, even, 0, bytes.length);
        even[bytes.length] = pad;
        return even;
    }

    private static byte[] element(int tag, String vr, byte[] value) {
        return ByteBuffer.allocate(8 + value.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) (tag >>> 16))
                .putShort((short) tag)
                .put(vr.getBytes(StandardCharsets.US_ASCII))
                .putShort((short) value.length)
                .put(value)
                .array();
    }
}
