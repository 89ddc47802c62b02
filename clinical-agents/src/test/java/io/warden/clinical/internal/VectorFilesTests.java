package io.warden.clinical.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.RetrievalRejected;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** .npy and JSON ingest, written byte by byte as NumPy writes them. */
public class VectorFilesTests {

    /** A version 1 .npy file as numpy.save writes it: magic, version, header padded to 64 bytes, data. */
    public static byte[] npy(String descr, String shape, boolean fortran, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': "
                + shape + ", }";
        int total = 10 + dict.length() + 1;
        String padded = dict + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.writeBytes(ByteBuffer.allocate(2)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) padded.length())
                .array());
        out.writeBytes(padded.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    public static byte[] floats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buffer.putFloat(v);
        }
        return buffer.array();
    }

    @Test
    void readsFloat32AndFloat64Rows() throws Exception {
        List<float[]> rows =
                VectorFiles.readNpy(new ByteArrayInputStream(npy("<f4", "(2, 3)", false, floats(1, 2, 3, 4, 5, 6))));
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1)).containsExactly(4, 5, 6);
        ByteBuffer doubles = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putDouble(0.5)
                .putDouble(-2);
        assertThat(VectorFiles.readNpy(new ByteArrayInputStream(npy("<f8", "(1, 2)", false, doubles.array())))
                        .getFirst())
                .containsExactly(0.5f, -2f);
    }

    @Test
    void refusesWhatItCannotReadWithTheReason() {
        assertThatThrownBy(() -> VectorFiles.readNpy(
                        new ByteArrayInputStream(npy("<f4", "(2, 3)", true, floats(1, 2, 3, 4, 5, 6)))))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.getMessage()).contains("Fortran"));
        assertThatThrownBy(
                        () -> VectorFiles.readNpy(new ByteArrayInputStream(npy("<i8", "(1, 1)", false, new byte[8]))))
                .hasMessageContaining("<i8");
        assertThatThrownBy(() ->
                        VectorFiles.readNpy(new ByteArrayInputStream(npy("<f4", "(2, 3)", false, floats(1, 2, 3)))))
                .hasMessageContaining("truncated");
        assertThatThrownBy(
                        () -> VectorFiles.readNpy(new ByteArrayInputStream(npy("<f4", "(3,)", false, floats(1, 2, 3)))))
                .hasMessageContaining("2-D");
        assertThatThrownBy(() -> VectorFiles.readNpy(
                        new ByteArrayInputStream(npy("<f4", "(1, 2)", false, floats(1, Float.NaN)))))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("non-finite"));
        assertThatThrownBy(() -> VectorFiles.readNpy(new ByteArrayInputStream("PK\u0003\u0004 not numpy".getBytes())))
                .isInstanceOfSatisfying(
                        RetrievalRejected.class, e -> assertThat(e.code()).isEqualTo("invalid-vectors"));
    }

    @Test
    void readsJsonRecordsAndNamesTheBadOne() throws Exception {
        var records = VectorFiles.readJson(new ByteArrayInputStream("""
                [{"id": "a", "vector": [0.6, 0.8], "metadata": {"label": "chest"}}, {"id": "b", "vector": [1, 0]}]""".getBytes(StandardCharsets.UTF_8)));
        assertThat(records).hasSize(2);
        assertThat(records.getFirst().metadata()).containsEntry("label", "chest");
        assertThatThrownBy(() -> VectorFiles.readJson(new ByteArrayInputStream(
                        "[{\"id\": \"a\", \"vector\": [1, \"x\"]}]".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("record 0: vector[1]");
    }
}
