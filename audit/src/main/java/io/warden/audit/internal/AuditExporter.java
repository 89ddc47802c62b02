package io.warden.audit.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditExports;
import io.warden.audit.AuditNames;
import io.warden.audit.AuditRecord;
import io.warden.audit.ChainMarker;
import io.warden.audit.Checkpoint;
import io.warden.audit.ExportFormat;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams a range of the trail in constant memory, widened to the checkpoints around it so that the file
 * verifies alone: it starts after the last checkpoint before the range (whose signed head hash is the
 * anchor) and ends at the first checkpoint at or after its end (or at the range's end when none is signed
 * yet). Rows are read with a database cursor and written as they come.
 */
public final class AuditExporter implements AuditExports {

    /** What an export covered. */
    public record Summary(long anchorSequence, long lastSequence, long events, int checkpoints) {}

    private static final Logger log = LoggerFactory.getLogger(AuditExporter.class);

    private final DataSource dataSource;
    private final SigningKeys.SigningKey key;
    private final FhirAuditEvents fhir = new FhirAuditEvents();
    private final AuditNames names;

    public AuditExporter(DataSource dataSource, SigningKeys.SigningKey key) {
        this(dataSource, key, AuditNames.none());
    }

    /** An exporter whose CSV and NDJSON carry readable name columns beside each signed record. */
    public AuditExporter(DataSource dataSource, SigningKeys.SigningKey key, AuditNames names) {
        this.dataSource = dataSource;
        this.key = key;
        this.names = names;
    }

    @Override
    public void export(ExportFormat format, long from, long to, OutputStream out) throws IOException {
        exportWithSummary(format, from, to, out);
    }

    public Summary exportWithSummary(ExportFormat format, long from, long to, OutputStream out) throws IOException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            try {
                return export(connection, format, from, to, out);
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new IOException("Could not read the audit trail for the export", e);
        }
    }

    private Summary export(Connection connection, ExportFormat format, long askedFrom, long to, OutputStream out)
            throws SQLException, IOException {
        ChainMarker marker = ChainMarkers.current(connection);
        // records before a retention marker are in its archive: the export starts where the chain now does, and its
        // signed header's "from" says so (the checkpoint the marker kept is the export's anchor)
        long from = marker != null && askedFrom < marker.firstSequence() ? marker.firstSequence() : askedFrom;
        List<Checkpoint> before =
                AuditRows.checkpoints(connection, "last_seq < ? order by last_seq desc limit 1", from);
        Checkpoint anchor = before.isEmpty() ? null : before.getFirst();
        long anchorSeq = anchor == null ? 0 : anchor.lastSequence();
        byte[] anchorHash = anchor == null ? Chain.GENESIS : anchor.headHash();
        List<Checkpoint> after = AuditRows.checkpoints(connection, "last_seq >= ? order by last_seq limit 1", to);
        long end = after.isEmpty() ? to : after.getFirst().lastSequence();
        Deque<Checkpoint> checkpoints =
                new ArrayDeque<>(AuditRows.checkpoints(connection, "last_seq > ? order by last_seq", anchorSeq).stream()
                        .filter(c -> c.lastSequence() <= end)
                        .toList());

        Map<Long, byte[]> tokens = CheckpointTimestamps.between(connection, anchorSeq - 1, end);
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        ExportNames exportNames = new ExportNames(names);
        ExportWriter export = switch (format) {
            case NDJSON -> new NdjsonWriter(writer, exportNames);
            case FHIR_NDJSON -> new FhirNdjsonWriter(writer, fhir, false);
            case FHIR_BUNDLE -> new FhirNdjsonWriter(writer, fhir, true);
            case CSV -> new CsvWriter(writer, exportNames);
        };
        byte[] headerSignature =
                key.sign(CheckpointCodecV1.exportHeaderPayload(anchorSeq, anchorHash, from, end, key.keyId()));
        export.start(
                anchorSeq,
                anchorHash,
                anchor,
                anchor == null ? null : tokens.get(anchor.lastSequence()),
                from,
                end,
                key.keyId(),
                headerSignature);
        long events = 0;
        int signed = 0;
        try (PreparedStatement statement = connection.prepareStatement(
                "select " + AuditRows.COLUMNS + " from audit_event where seq > ? and seq <= ? order by seq")) {
            statement.setFetchSize(2000);
            statement.setLong(1, anchorSeq);
            statement.setLong(2, end);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    AuditRecord record = AuditRows.map(rs);
                    export.event(record, RecordCodecV1.canonicalText(record.sequence(), record.time(), record.event()));
                    events++;
                    while (!checkpoints.isEmpty() && checkpoints.peekFirst().lastSequence() == record.sequence()) {
                        Checkpoint checkpoint = checkpoints.removeFirst();
                        export.checkpoint(checkpoint, tokens.get(checkpoint.lastSequence()));
                        signed++;
                    }
                }
            }
        }
        export.finish(events);
        writer.flush();
        return new Summary(anchorSeq, end, events, signed);
    }

    /** One export format. */
    private interface ExportWriter {
        void start(
                long anchorSeq,
                byte[] anchorHash,
                @Nullable Checkpoint anchor,
                byte @Nullable [] anchorTimestamp,
                long from,
                long to,
                String keyId,
                byte[] signature)
                throws IOException;

        void event(AuditRecord record, String canonical) throws IOException;

        /** A checkpoint, with its RFC 3161 token when it was anchored. */
        void checkpoint(Checkpoint checkpoint, byte @Nullable [] timestamp) throws IOException;

        void finish(long events) throws IOException;
    }

    static Map<String, Object> checkpointJson(Checkpoint checkpoint, byte @Nullable [] timestamp) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("type", "checkpoint");
        json.put("firstSequence", checkpoint.firstSequence());
        json.put("lastSequence", checkpoint.lastSequence());
        json.put("headHash", checkpoint.headHashHex());
        json.put("time", checkpoint.time().toString());
        json.put("keyId", checkpoint.keyId());
        json.put("signature", Base64.getEncoder().encodeToString(checkpoint.signature()));
        if (timestamp != null) {
            json.put("timestamp", Base64.getEncoder().encodeToString(timestamp));
        }
        return json;
    }

    private static final class NdjsonWriter implements ExportWriter {
        private final Writer out;
        private final ExportNames names;

        NdjsonWriter(Writer out, ExportNames names) {
            this.out = out;
            this.names = names;
        }

        @Override
        public void start(
                long anchorSeq,
                byte[] anchorHash,
                @Nullable Checkpoint anchor,
                byte @Nullable [] anchorTimestamp,
                long from,
                long to,
                String keyId,
                byte[] signature)
                throws IOException {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("type", ExportVerifierFormats.NDJSON_HEADER);
            header.put("version", 1L);
            header.put("from", from);
            header.put("to", to);
            header.put("anchorSequence", anchorSeq);
            header.put("anchorHash", HexFormat.of().formatHex(anchorHash));
            header.put("keyId", keyId);
            header.put("signature", Base64.getEncoder().encodeToString(signature));
            out.write(CanonicalJson.write(header));
            out.write('\n');
            if (anchor != null) {
                out.write(CanonicalJson.write(checkpointJson(anchor, anchorTimestamp)));
                out.write('\n');
            }
        }

        @Override
        public void event(AuditRecord record, String canonical) throws IOException {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("type", "event");
            line.put("sequence", record.sequence());
            line.put("hash", record.hashHex());
            line.put("canonical", canonical);
            // read by people, never by the verifier: the canonical form above is the record
            putIfNamed(line, "actorName", names.actor(record.event().actor()));
            putIfNamed(line, "agentName", names.agent(record.event().agentId()));
            putIfNamed(line, "ownerName", names.person(record.event().ownerId()));
            out.write(CanonicalJson.write(line));
            out.write('\n');
        }

        @Override
        public void checkpoint(Checkpoint checkpoint, byte @Nullable [] timestamp) throws IOException {
            out.write(CanonicalJson.write(checkpointJson(checkpoint, timestamp)));
            out.write('\n');
        }

        @Override
        public void finish(long events) throws IOException {
            out.write(CanonicalJson.write(Map.of("type", "end", "events", events)));
            out.write('\n');
        }
    }

    private static final class FhirNdjsonWriter implements ExportWriter {
        private final Writer out;
        private final FhirAuditEvents fhir;
        private final boolean bundle;
        private boolean first = true;

        FhirNdjsonWriter(Writer out, FhirAuditEvents fhir, boolean bundle) {
            this.out = out;
            this.fhir = fhir;
            this.bundle = bundle;
        }

        private void resource(String fullUrl, String json) throws IOException {
            if (bundle) {
                out.write(first ? "\n{\"fullUrl\":\"" : ",\n{\"fullUrl\":\"");
                out.write(fullUrl);
                out.write("\",\"resource\":");
                out.write(json);
                out.write('}');
            } else {
                out.write(json);
                out.write('\n');
            }
            first = false;
        }

        @Override
        public void start(
                long anchorSeq,
                byte[] anchorHash,
                @Nullable Checkpoint anchor,
                byte @Nullable [] anchorTimestamp,
                long from,
                long to,
                String keyId,
                byte[] signature)
                throws IOException {
            if (bundle) {
                out.write("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[");
            }
            resource(
                    FhirAuditEvents.anchorFullUrl(anchorSeq, anchorHash),
                    fhir.anchor(anchorSeq, anchorHash, from, to, keyId, signature));
            if (anchor != null) {
                resource(FhirAuditEvents.checkpointFullUrl(anchor), fhir.checkpoint(anchor, anchorTimestamp));
            }
        }

        @Override
        public void event(AuditRecord record, String canonical) throws IOException {
            resource(
                    FhirAuditEvents.eventFullUrl(record.sequence(), record.hash()), fhir.auditEvent(record, canonical));
        }

        @Override
        public void checkpoint(Checkpoint checkpoint, byte @Nullable [] timestamp) throws IOException {
            resource(FhirAuditEvents.checkpointFullUrl(checkpoint), fhir.checkpoint(checkpoint, timestamp));
        }

        @Override
        public void finish(long events) throws IOException {
            if (bundle) {
                out.write("\n]}\n");
            }
        }
    }

    private static void putIfNamed(Map<String, Object> line, String field, @Nullable String name) {
        if (name != null) {
            line.put(field, name);
        }
    }

    /**
     * The names of one export, each id looked up once while the cache lasts (bounded, so a long export stays in constant
     * memory). A source that fails is not asked again during this export: the rest of the file carries no names rather
     * than waiting on it record by record.
     */
    static final class ExportNames {
        private static final int CACHED = 10_000;
        private static final Pattern CONTROL = Pattern.compile("\\p{Cc}");

        private final AuditNames names;
        private final Map<String, Optional<String>> cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Optional<String>> eldest) {
                return size() > CACHED;
            }
        };
        private boolean failed;

        ExportNames(AuditNames names) {
            this.names = names;
        }

        @Nullable
        String actor(AuditActor actor) {
            return switch (actor.type()) {
                case PERSON -> person(actor.id());
                case AGENT -> agent(actor.id());
                case SYSTEM -> null;
            };
        }

        @Nullable
        String person(@Nullable String id) {
            return id == null ? null : look("p:" + id, () -> names.person(id));
        }

        @Nullable
        String agent(@Nullable String id) {
            return id == null ? null : look("a:" + id, () -> names.agent(id));
        }

        private @Nullable String look(String key, Supplier<@Nullable String> source) {
            if (failed) {
                return null;
            }
            Optional<String> known = cache.get(key);
            if (known == null) {
                try {
                    known = Optional.ofNullable(source.get());
                } catch (RuntimeException e) {
                    failed = true;
                    log.warn("Names for the audit export could not be read; the rest of the file carries ids only", e);
                    return null;
                }
                cache.put(key, known);
            }
            // a name is one line of text in every format: control characters (a line break in a display name) go
            return known.map(name -> CONTROL.matcher(name).replaceAll(" ")).orElse(null);
        }
    }

    /** The CSV export's headings, in order; the verifier accepts exactly these. */
    static final List<String> CSV_COLUMNS = List.of(
            "record_type",
            "sequence",
            "time",
            "action",
            "actor_id",
            "actor_type",
            "agent_id",
            "owner_id",
            "dataset",
            "tool",
            "decision",
            "reasons",
            "purpose",
            "outcome",
            "correlation_id",
            "hash",
            "canonical",
            "first_sequence",
            "key_id",
            "signature",
            "range_from",
            "range_to",
            "timestamp",
            // readable names, outside the signed record: the verifier compares only the columns above
            "actor_name",
            "agent_name",
            "owner_name");

    private static final class CsvWriter implements ExportWriter {

        private final Writer out;
        private final ExportNames names;

        CsvWriter(Writer out, ExportNames names) {
            this.out = out;
            this.names = names;
        }

        @Override
        public void start(
                long anchorSeq,
                byte[] anchorHash,
                @Nullable Checkpoint anchor,
                byte @Nullable [] anchorTimestamp,
                long from,
                long to,
                String keyId,
                byte[] signature)
                throws IOException {
            out.write(String.join(",", CSV_COLUMNS));
            out.write("\r\n");
            Map<String, @Nullable String> row = new LinkedHashMap<>();
            row.put("record_type", "anchor");
            row.put("sequence", Long.toString(anchorSeq));
            row.put("hash", HexFormat.of().formatHex(anchorHash));
            row.put("range_from", Long.toString(from));
            row.put("range_to", Long.toString(to));
            row.put("key_id", keyId);
            row.put("signature", Base64.getEncoder().encodeToString(signature));
            row(row);
            if (anchor != null) {
                checkpoint(anchor, anchorTimestamp);
            }
        }

        @Override
        public void event(AuditRecord record, String canonical) throws IOException {
            var event = record.event();
            Map<String, @Nullable String> row = new LinkedHashMap<>();
            row.put("record_type", "event");
            row.put("sequence", Long.toString(record.sequence()));
            row.put("time", record.time().toString());
            row.put("action", event.action());
            row.put("actor_id", event.actor().id());
            row.put("actor_type", event.actor().type().name());
            row.put("agent_id", event.agentId());
            row.put("owner_id", event.ownerId());
            row.put("dataset", event.dataset());
            row.put("tool", event.tool());
            row.put("decision", event.decision());
            row.put("reasons", String.join(" ", event.reasons()));
            row.put("purpose", event.purposeOfUse());
            row.put("outcome", event.outcome().name());
            row.put("correlation_id", event.correlationId());
            row.put("hash", record.hashHex());
            row.put("canonical", canonical);
            row.put("actor_name", names.actor(event.actor()));
            row.put("agent_name", names.agent(event.agentId()));
            row.put("owner_name", names.person(event.ownerId()));
            row(row);
        }

        @Override
        public void checkpoint(Checkpoint checkpoint, byte @Nullable [] timestamp) throws IOException {
            Map<String, @Nullable String> row = new LinkedHashMap<>();
            row.put("record_type", "checkpoint");
            row.put("sequence", Long.toString(checkpoint.lastSequence()));
            row.put("time", checkpoint.time().toString());
            row.put("hash", checkpoint.headHashHex());
            row.put("first_sequence", Long.toString(checkpoint.firstSequence()));
            row.put("key_id", checkpoint.keyId());
            row.put("signature", Base64.getEncoder().encodeToString(checkpoint.signature()));
            row.put("timestamp", timestamp == null ? null : Base64.getEncoder().encodeToString(timestamp));
            row(row);
        }

        @Override
        public void finish(long events) {
            // CSV has no trailer: the anchor row's range_to says where the range ends
        }

        /**
         * A cell a spreadsheet will not run: one that starts with {@code = + - @}, a tab or a carriage return (a formula,
         * OWASP's CSV injection), or with the quote used to defuse them, gets a leading {@code '} — which spreadsheets
         * show as text and {@code ExportVerifier} removes before comparing a cell with its signed record. The record's
         * canonical form, which the hash covers, is never changed.
         */
        static String inert(String cell) {
            if (cell.isEmpty()) {
                return cell;
            }
            char first = cell.charAt(0);
            return first == '='
                            || first == '+'
                            || first == '-'
                            || first == '@'
                            || first == '\t'
                            || first == '\r'
                            || first == '\''
                    ? "'" + cell
                    : cell;
        }

        private void row(Map<String, @Nullable String> cells) throws IOException {
            for (int i = 0; i < CSV_COLUMNS.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                String cell = cells.get(CSV_COLUMNS.get(i));
                if (cell == null) {
                    continue;
                }
                cell = inert(cell);
                if (cell.indexOf(',') >= 0
                        || cell.indexOf('"') >= 0
                        || cell.indexOf('\n') >= 0
                        || cell.indexOf('\r') >= 0) {
                    out.write('"');
                    out.write(cell.replace("\"", "\"\""));
                    out.write('"');
                } else {
                    out.write(cell);
                }
            }
            out.write("\r\n");
        }
    }
}
