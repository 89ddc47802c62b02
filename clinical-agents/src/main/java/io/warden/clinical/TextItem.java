package io.warden.clinical;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An item to embed on ingest: its id, the text to embed (a series description, a report sentence) and its
 * metadata. {@link #records} turns items into vector records with a text model, in batches.
 */
public record TextItem(String id, String text, Map<String, String> metadata) {

    public TextItem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        metadata = Map.copyOf(metadata);
    }

    /** Embeds the items' texts (the embedder batches) and pairs each vector with its item's id and metadata. */
    public static List<VectorRecord> records(Embedder embedder, List<TextItem> items) {
        List<float[]> vectors =
                embedder.embed(items.stream().map(TextItem::text).toList());
        List<VectorRecord> records = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            records.add(new VectorRecord(
                    items.get(i).id(), vectors.get(i), items.get(i).metadata()));
        }
        return records;
    }
}
