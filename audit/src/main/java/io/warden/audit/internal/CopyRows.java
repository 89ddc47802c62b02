package io.warden.audit.internal;

import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * Rows of {@code audit_event} in PostgreSQL's binary {@code COPY} format, in the order of
 * {@link AuditRows#COLUMNS}. Binary, so that no value needs escaping: every field is its length and its
 * bytes, text in UTF-8 (the driver's client encoding), arrays in {@code array_recv}'s layout.
 *
 * <p>The writer streams a batch as one {@code COPY ... FROM STDIN (FORMAT binary)} instead of binding a
 * multi-row {@code INSERT}'s parameters. The event's own columns ({@link #eventColumns}) are encoded on the
 * appending thread; the writer adds only the sequence number, schema version, time and hash.
 */
final class CopyRows {

    /** {@code COPY} of every column, in binary. */
    static final String COPY_SQL = "copy audit_event (" + AuditRows.COLUMNS + ") from stdin (format binary)";

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    private static final int FIELDS = 24;
    private static final int TEXT_OID = 25;
    /** PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix seconds. */
    private static final long POSTGRES_EPOCH_SECONDS = 946_684_800L;

    private CopyRows() {}

    /** Columns {@code action} to {@code detail_values} of an event (20 fields), ready to follow the time. */
    static byte[] eventColumns(AuditEvent event) {
        Buffer out = new Buffer(256);
        out.text(event.action());
        out.text(event.sourceId());
        out.text(event.actor().id());
        out.text(event.actor().type().name());
        out.text(event.actor().ownerId());
        out.text(event.target().type());
        out.text(event.target().id());
        out.text(event.agentId());
        out.text(event.ownerId());
        out.text(event.dataset());
        out.text(event.tool());
        out.text(event.decision());
        out.textArray(event.reasons());
        out.text(event.purposeOfUse());
        out.text(event.requestDigest());
        out.text(event.outcome().name());
        if (event.latencyMicros() == null) {
            out.nullField();
        } else {
            out.int32(8);
            out.int64(event.latencyMicros());
        }
        out.text(event.correlationId());
        out.textArray(event.details().keySet());
        out.textArray(event.details().values());
        return out.toByteArray();
    }

    /** A whole {@code COPY} stream: header, one tuple per record, trailer. */
    static final class Stream {
        private final Buffer out;

        Stream(int expectedRows) {
            out = new Buffer(19 + expectedRows * 400 + 2);
            out.write(SIGNATURE, 0, SIGNATURE.length);
            out.int32(0); // flags: no OIDs
            out.int32(0); // no header extension
        }

        /** Appends {@code record}, whose event's columns are {@code eventColumns}. */
        void add(AuditRecord record, byte[] eventColumns) {
            out.int16(FIELDS);
            out.int32(8);
            out.int64(record.sequence());
            out.int32(2);
            out.int16(record.schemaVersion());
            out.int32(8);
            out.int64(micros(record.time()));
            out.write(eventColumns, 0, eventColumns.length);
            out.int32(record.hash().length);
            out.write(record.hash(), 0, record.hash().length);
        }

        byte[] finish() {
            out.int16(-1);
            return out.toByteArray();
        }
    }

    /** Microseconds since PostgreSQL's epoch: the binary form of {@code timestamptz}. */
    static long micros(Instant time) {
        return Math.addExact(
                Math.multiplyExact(time.getEpochSecond() - POSTGRES_EPOCH_SECONDS, 1_000_000L),
                time.getNano() / 1_000L);
    }

    /** A growable big-endian buffer; a {@code ByteArrayOutputStream} without the locking of every write. */
    private static final class Buffer {
        private byte[] bytes;
        private int size;

        Buffer(int capacity) {
            bytes = new byte[capacity];
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                byte[] grown = new byte[Math.max(bytes.length * 2, size + more)];
                System.arraycopy(bytes, 0, grown, 0, size);
                bytes = grown;
            }
        }

        void write(byte[] source, int offset, int length) {
            ensure(length);
            System.arraycopy(source, offset, bytes, size, length);
            size += length;
        }

        void int16(int value) {
            ensure(2);
            bytes[size++] = (byte) (value >>> 8);
            bytes[size++] = (byte) value;
        }

        void int32(int value) {
            ensure(4);
            bytes[size++] = (byte) (value >>> 24);
            bytes[size++] = (byte) (value >>> 16);
            bytes[size++] = (byte) (value >>> 8);
            bytes[size++] = (byte) value;
        }

        void int64(long value) {
            int32((int) (value >>> 32));
            int32((int) value);
        }

        void nullField() {
            int32(-1);
        }

        void text(@Nullable String value) {
            if (value == null) {
                nullField();
                return;
            }
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            int32(utf8.length);
            write(utf8, 0, utf8.length);
        }

        /** A one-dimensional {@code text[]} (lower bound 1), or an empty one with no dimensions. */
        void textArray(Collection<String> values) {
            byte[][] elements = new byte[values.size()][];
            int length = 12 + (values.isEmpty() ? 0 : 8);
            int i = 0;
            for (String value : values) {
                elements[i] = value.getBytes(StandardCharsets.UTF_8);
                length += 4 + elements[i].length;
                i++;
            }
            int32(length);
            int32(values.isEmpty() ? 0 : 1); // dimensions
            int32(0); // no nulls
            int32(TEXT_OID);
            if (!values.isEmpty()) {
                int32(values.size());
                int32(1); // lower bound
            }
            for (byte[] element : elements) {
                int32(element.length);
                write(element, 0, element.length);
            }
        }

        byte[] toByteArray() {
            byte[] result = new byte[size];
            System.arraycopy(bytes, 0, result, 0, size);
            return result;
        }
    }
}
