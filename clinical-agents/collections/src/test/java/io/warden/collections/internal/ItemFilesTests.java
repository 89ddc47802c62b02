package io.warden.collections.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.warden.clinical.VectorRecord;
import io.warden.clinical.ingest.IngestItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ItemFilesTests {

    @TempDir
    Path folder;

    static VectorRecord record(String id, float x) {
        return new VectorRecord(id, new float[] {x, 1}, Map.of("label", "l-" + id));
    }

    @Test
    void batchesReadBackInPositionOrderAndThoseAfterTheCommittedPositionAreDropped() throws IOException {
        ItemFiles.writeBatch(folder, 10, 19, List.of(record("b", 2)));
        ItemFiles.writeBatch(folder, 0, 9, List.of(record("a", 1)));
        ItemFiles.writeBatch(folder, 20, 29, List.of(record("c", 3)));
        Files.writeString(folder.resolve("batch-30-39.part"), "half written");

        assertThat(ItemFiles.readAll(folder)).extracting(VectorRecord::id).containsExactly("a", "b", "c");
        assertThat(ItemFiles.readAll(folder).getFirst().metadata()).containsEntry("label", "l-a");

        ItemFiles.dropAfter(folder, 19);
        assertThat(ItemFiles.readAll(folder)).extracting(VectorRecord::id).containsExactly("a", "b");
        assertThat(folder.resolve("batch-30-39.part")).doesNotExist();
        assertThat(ItemFiles.readAll(folder.resolve("no-such-folder"))).isEmpty();
    }

    @Test
    void aRemovalReadsTheEarlierVersionLessTheItemWithStablePositions() throws IOException {
        ItemFiles.writeBatch(folder, 0, 2, List.of(record("a", 1), record("b", 2), record("c", 3)));
        List<IngestItem> items = new ArrayList<>();
        new VersionItemsSource(folder, "b").read(1, items::add);

        assertThat(items).extracting(IngestItem::position).containsExactly(1L, 2L);
        assertThat(items.get(0))
                .isInstanceOfSatisfying(
                        IngestItem.Rejected.class, r -> assertThat(r.code()).isEqualTo("removed"));
        assertThat(items.get(1))
                .isInstanceOfSatisfying(
                        IngestItem.Accepted.class,
                        a -> assertThat(a.record().id()).isEqualTo("c"));
    }
}
