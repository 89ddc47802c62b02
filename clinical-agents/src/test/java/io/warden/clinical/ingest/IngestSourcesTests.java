package io.warden.clinical.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.Embedder;
import io.warden.clinical.EmbeddingRejected;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestSourcesTests {

    @TempDir
    Path dir;

    /** Embeds a text as (length, 1), normalised; refuses texts containing "refuse". */
    static final Embedder LENGTHS = new Embedder() {
        @Override
        public String modelName() {
            return "lengths";
        }

        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public List<float[]> embed(List<String> texts) {
            if (texts.stream().anyMatch(text -> text.contains("refuse"))) {
                throw new EmbeddingRejected("refused", "a refused text");
            }
            return texts.stream().map(text -> new float[] {text.length(), 1}).toList();
        }
    };

    static List<IngestItem> all(IngestSource source, long from) throws IOException {
        List<IngestItem> items = new ArrayList<>();
        source.read(from, items::add);
        return items;
    }

    @Test
    void textItemsAreEmbeddedInOrderAndBadLinesRejectedWithTheirLine() throws IOException {
        Path file = dir.resolve("items.ndjson");
        Files.writeString(file, """
                {"id":"a","text":"chest","metadata":{"label":"chest","n":3}}
                not json

                {"text":"no id"}
                {"id":"b","text":"please refuse me"}
                {"id":"c","text":"head","metadata":{"label":"head"}}
                """, StandardCharsets.UTF_8);
        var source = new TextNdjsonSource(file, LENGTHS, 2);

        List<IngestItem> items = all(source, 0);

        assertThat(items).extracting(IngestItem::position).containsExactly(0L, 1L, 3L, 4L, 5L);
        assertThat(((IngestItem.Accepted) items.get(0)).record().metadata()).containsEntry("n", "3");
        assertThat(((IngestItem.Rejected) items.get(1)).code()).isEqualTo("invalid-json");
        assertThat(((IngestItem.Rejected) items.get(1)).reference()).isEqualTo("line 2");
        assertThat(((IngestItem.Rejected) items.get(2)).code()).isEqualTo("missing-id");
        assertThat(((IngestItem.Rejected) items.get(3)).code())
                .as("one refused text does not sink its batch")
                .isEqualTo("embedding-refused");
        assertThat(((IngestItem.Accepted) items.get(4)).record().id()).isEqualTo("c");
    }

    @Test
    void aResumedReadStartsAtThePositionAndAStoppedSinkEndsTheRead() throws IOException {
        Path file = dir.resolve("vectors.ndjson");
        Files.writeString(file, """
                {"id":"a","vector":[3,4]}
                {"id":"b","vector":[1,0,0]}
                {"id":"c","vector":[0,2],"metadata":{"label":"x"}}
                {"id":"d","vector":[1,"x"]}
                """, StandardCharsets.UTF_8);
        var source = new VectorNdjsonSource(file, 2);

        List<IngestItem> fromTwo = all(source, 2);
        assertThat(fromTwo).extracting(IngestItem::position).containsExactly(2L, 3L);
        assertThat(((IngestItem.Accepted) fromTwo.get(0)).record().vector()).containsExactly(0f, 1f);
        assertThat(((IngestItem.Rejected) fromTwo.get(1)).code()).isEqualTo("invalid-vector");

        List<IngestItem> first = new ArrayList<>();
        source.read(0, item -> first.add(item) && false);
        assertThat(first).hasSize(1);
        assertThat(((IngestItem.Accepted) first.get(0)).record().vector()).containsExactly(0.6f, 0.8f);
        assertThat(((IngestItem.Rejected) all(source, 1).get(0)).code()).isEqualTo("wrong-dimension");
    }

    @Test
    void npyRowsPairWithTheirLabelLines() throws IOException {
        Path array = npy(dir.resolve("v.npy"), new float[][] {{1, 0}, {0, 1}, {1, 1}});
        Path labels = dir.resolve("v.ndjson");
        Files.writeString(labels, """
                {"id":"r0","metadata":{"label":"a"}}
                {"id":"r1","metadata":{"label":"b"}}
                {"metadata":{"label":"c"}}
                """, StandardCharsets.UTF_8);
        var source = new NpyVectorSource(array, labels, 2);

        assertThat(source.size()).isEqualTo(3);
        List<IngestItem> items = all(source, 1);
        assertThat(items).extracting(IngestItem::position).containsExactly(1L, 2L);
        assertThat(((IngestItem.Accepted) items.get(0)).record().metadata()).containsEntry("label", "b");
        assertThat(((IngestItem.Rejected) items.get(1)).code()).isEqualTo("missing-id");

        assertThatThrownBy(() -> all(new NpyVectorSource(array, labels, 3), 0))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("3 dimensions");
        Files.writeString(labels, "{\"id\":\"only\"}\n", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> all(source, 0)).hasMessageContaining("fewer lines");
    }

    static Path npy(Path file, float[][] rows) throws IOException {
        String header =
                "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows.length + ", " + rows[0].length + "), }";
        int total = 10 + header.length() + 1;
        int padding = (64 - total % 64) % 64;
        header = header + " ".repeat(padding) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(10 + header.length() + rows.length * rows[0].length * 4)
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        buffer.putShort((short) header.length());
        buffer.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float[] row : rows) {
            for (float value : row) {
                buffer.putFloat(value);
            }
        }
        Files.write(file, buffer.array());
        return file;
    }
}
