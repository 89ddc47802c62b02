package io.warden.clinical.ingest;

import java.io.IOException;
import java.util.function.Predicate;

/**
 * One input of a collection build (text items, precomputed vectors, images, DICOM instances or series): it yields
 * its items in a stable order, each with its position, so that a build stopped after committing position {@code n}
 * resumes by reading again from {@code n + 1}. A source embeds what needs embedding with the model it was built
 * with, so every record it yields has the collection's dimension.
 */
public interface IngestSource {

    /** What kind of input this is, as recorded with the build ({@code text}, {@code vectors-npy}, ...). */
    String kind();

    /** How many items the source holds, when known before reading (for progress); -1 when not. */
    long size();

    /**
     * Sends the items at positions {@code from} and after, in order, to {@code sink} until it answers
     * {@code false} (the build is stopping) or the source ends.
     *
     * @throws IOException when the input cannot be read at all (a single bad item is a {@link IngestItem.Rejected})
     */
    void read(long from, Predicate<IngestItem> sink) throws IOException;
}
