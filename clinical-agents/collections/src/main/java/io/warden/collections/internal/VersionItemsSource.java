package io.warden.collections.internal;

import io.warden.clinical.VectorRecord;
import io.warden.clinical.ingest.IngestItem;
import io.warden.clinical.ingest.IngestSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * The items of an earlier version, less one: what an item removal builds its new version from. Position {@code n} is
 * the earlier version's {@code n}-th item, so a removal that stops resumes like any build.
 */
final class VersionItemsSource implements IngestSource {

    private final Path items;
    private final String removed;

    VersionItemsSource(Path items, String removed) {
        this.items = items;
        this.removed = removed;
    }

    @Override
    public String kind() {
        return "remove";
    }

    @Override
    public long size() {
        return -1;
    }

    @Override
    public void read(long from, Predicate<IngestItem> sink) throws IOException {
        long[] position = {0};
        boolean[] stopped = {false};
        ItemFiles.read(items, (VectorRecord record) -> {
            long at = position[0]++;
            if (stopped[0] || at < from) {
                return;
            }
            IngestItem item = record.id().equals(removed)
                    ? new IngestItem.Rejected(at, "item " + removed, "removed", "removed on request")
                    : new IngestItem.Accepted(at, record);
            stopped[0] = !sink.test(item);
        });
    }
}
