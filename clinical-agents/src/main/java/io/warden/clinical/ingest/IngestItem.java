package io.warden.clinical.ingest;

import io.warden.clinical.VectorRecord;

/** One item a {@link IngestSource} read: a record to add, or an input refused with the reason an operator reads. */
public sealed interface IngestItem {

    /** The item's place in its source, from 0. */
    long position();

    /** A record ready to add to the collection. */
    record Accepted(long position, VectorRecord record) implements IngestItem {}

    /**
     * An input that cannot be added, say which (a file name, a SOP Instance UID, a line number) and why, with a
     * stable code such as {@code compressed-transfer-syntax}, {@code not-an-image} or {@code wrong-dimension}.
     */
    record Rejected(long position, String reference, String code, String reason) implements IngestItem {}
}
