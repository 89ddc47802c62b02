package io.warden.audit.internal;

import io.warden.audit.AuditRecord;
import io.warden.audit.Checkpoint;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the items of an exported file, whatever its format, one at a time and in constant memory: the
 * anchor, the events (sequence, hash, canonical form) and the checkpoints, in file order.
 */
public final class ExportVerifierFormats {

    public static final String NDJSON_HEADER = "warden.audit.export";

    /** An item of an exported file. */
    public sealed interface Item permits Anchor, Event, SignedCheckpoint, End {}

    /** Where the exported chain starts, and the range it was asked to cover. */
    public record Anchor(long sequence, byte[] hash, long from, long to, String keyId, byte[] signature)
            implements Item {}

    /** One record's chain link. */
    public record Event(long sequence, byte[] hash, byte[] canonical) implements Item {}

    /**
     * A signed checkpoint, with the RFC 3161 time-stamp token over its signed bytes when it was anchored (an optional
     * field of the checkpoint item: files without it read as before, and readers before it ignore it in NDJSON and CSV).
     */
    public record SignedCheckpoint(Checkpoint checkpoint, byte @Nullable [] timestamp) implements Item {
        public SignedCheckpoint(Checkpoint checkpoint) {
            this(checkpoint, null);
        }
    }

    /** The end of the file, with the event count it claims. */
    public record End(@Nullable Long events) implements Item {}

    /** A file that does not parse, with where. */
    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message);
        }
    }

    /** Reads items; {@link #next()} returns null at the end. */
    public interface Items {
        @Nullable
        Item next() throws Malformed, IOException;
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final FhirAuditEvents FHIR = new FhirAuditEvents();
    private static final FhirAuditEventsV1 FHIR_V1 = new FhirAuditEventsV1();

    private ExportVerifierFormats() {}

    /** Detects the format from the file's first characters and returns its reader. */
    public static Items open(Reader input) throws IOException, Malformed {
        PushbackReader reader = new PushbackReader(input, 64);
        char[] start = new char[64];
        int n = reader.read(start);
        if (n <= 0) {
            throw new Malformed("the file is empty");
        }
        reader.unread(start, 0, n);
        String head = new String(start, 0, n);
        if (head.startsWith("record_type,")) {
            return new CsvItems(new BufferedReader(reader));
        }
        if (head.replace(" ", "").startsWith("{\"resourceType\":\"Bundle\"")) {
            return new BundleItems(JSON.createParser(reader));
        }
        return new LineItems(new BufferedReader(reader));
    }

    // ---- NDJSON: Warden's own and FHIR resources ------------------------------------------------------

    private static final class LineItems implements Items {
        private final BufferedReader reader;
        private int line;

        LineItems(BufferedReader reader) {
            this.reader = reader;
        }

        @Override
        public @Nullable Item next() throws Malformed, IOException {
            String text;
            do {
                text = reader.readLine();
                line++;
                if (text == null) {
                    return null;
                }
            } while (text.isBlank());
            try {
                JsonNode node = JSON.readTree(text);
                Item item = item(node);
                boolean wardenLine = node.has("type") && node.get("type").isString() && !node.has("resourceType");
                if (wardenLine
                        && !CanonicalJson.write(JSON.convertValue(node, Object.class))
                                .equals(text)) {
                    throw new Malformed("the line is not in the canonical form Warden writes");
                }
                return item;
            } catch (Malformed e) {
                throw new Malformed("line " + line + ": " + e.getMessage());
            } catch (RuntimeException e) {
                throw new Malformed(
                        "line " + line + ": not valid JSON (" + e.getClass().getSimpleName() + ")");
            }
        }
    }

    private static final class BundleItems implements Items {
        private final JsonParser parser;
        private boolean inEntries;
        private int entry;

        BundleItems(JsonParser parser) {
            this.parser = parser;
        }

        @Override
        public @Nullable Item next() throws Malformed {
            try {
                if (!inEntries) {
                    if (parser.nextToken() != JsonToken.START_OBJECT) {
                        throw new Malformed("the Bundle is not a JSON object");
                    }
                    while (true) {
                        JsonToken token = parser.nextToken();
                        if (token == null || token == JsonToken.END_OBJECT) {
                            throw new Malformed("the Bundle has no entry array");
                        }
                        String name = parser.currentName();
                        parser.nextToken();
                        if ("entry".equals(name)) {
                            if (parser.currentToken() != JsonToken.START_ARRAY) {
                                throw new Malformed("Bundle.entry is not an array");
                            }
                            inEntries = true;
                            break;
                        }
                        parser.skipChildren();
                    }
                }
                JsonToken token = parser.nextToken();
                if (token == JsonToken.END_ARRAY || token == null) {
                    return null;
                }
                entry++;
                JsonNode node = parser.readValueAsTree();
                JsonNode resource = node.get("resource");
                if (resource == null) {
                    throw new Malformed("Bundle entry " + entry + " has no resource");
                }
                Item item = item(resource);
                // Bundles written before entries carried a fullUrl have none; one that is there must be Warden's
                JsonNode fullUrl = node.get("fullUrl");
                if (node.size() != (fullUrl == null ? 1 : 2)
                        || (fullUrl != null && !fullUrl.isString())
                        || (fullUrl != null && !fullUrl.asString().equals(fullUrl(item)))) {
                    throw new Malformed("Bundle entry " + entry + " is not the entry Warden writes for its resource");
                }
                return item;
            } catch (Malformed e) {
                throw e;
            } catch (RuntimeException e) {
                throw new Malformed("Bundle entry " + (entry + 1) + ": not valid JSON ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
    }

    private static String fullUrl(Item item) {
        return switch (item) {
            case Anchor anchor -> FhirAuditEvents.anchorFullUrl(anchor.sequence(), anchor.hash());
            case Event event -> FhirAuditEvents.eventFullUrl(event.sequence(), event.hash());
            case SignedCheckpoint signed -> FhirAuditEvents.checkpointFullUrl(signed.checkpoint());
            case End end -> "";
        };
    }

    static Item item(JsonNode node) throws Malformed {
        String type = text(node, "type");
        if (NDJSON_HEADER.equals(type)) {
            if (number(node, "version") != 1) {
                throw new Malformed("export format version " + node.get("version") + " is not supported (only 1)");
            }
            return new Anchor(
                    number(node, "anchorSequence"),
                    hex(node, "anchorHash"),
                    number(node, "from"),
                    number(node, "to"),
                    required(node, "keyId"),
                    base64(required(node, "signature")));
        }
        if ("event".equals(type)) {
            long sequence = number(node, "sequence");
            String canonical = required(node, "canonical");
            record(canonical, hex(node, "hash"), sequence);
            return new Event(sequence, hex(node, "hash"), canonical.getBytes(StandardCharsets.UTF_8));
        }
        if ("checkpoint".equals(type)) {
            return new SignedCheckpoint(
                    new Checkpoint(
                            number(node, "firstSequence"),
                            number(node, "lastSequence"),
                            hex(node, "headHash"),
                            instant(required(node, "time")),
                            required(node, "keyId"),
                            base64(required(node, "signature"))),
                    text(node, "timestamp") == null ? null : base64(required(node, "timestamp")));
        }
        if ("end".equals(type)) {
            return new End(number(node, "events"));
        }
        String resourceType = text(node, "resourceType");
        if ("AuditEvent".equals(resourceType)) {
            JsonNode chain = extension(node, FhirAuditEvents.CHAIN_EXTENSION);
            long sequence = Long.parseLong(sub(chain, "sequence"));
            byte[] hash = HexFormat.of().parseHex(sub(chain, "hash"));
            String canonical = sub(chain, "canonical");
            AuditRecord record = record(canonical, hash, sequence);
            // every byte of the resource is bound to the chained record: it must be what the record renders to, now
            // or (a file exported before issue 23's coding fixes) as the frozen first rendering did
            if (!JSON.readTree(FHIR.auditEvent(record, canonical)).equals(node)
                    && !JSON.readTree(FHIR_V1.auditEvent(record, canonical)).equals(node)) {
                throw new Malformed("the AuditEvent for record " + sequence + " differs from the record it carries");
            }
            return new Event(sequence, hash, canonical.getBytes(StandardCharsets.UTF_8));
        }
        if ("Basic".equals(resourceType)) {
            JsonNode anchor = extensionOrNull(node, FhirAuditEvents.ANCHOR_EXTENSION);
            if (anchor != null) {
                Anchor item = new Anchor(
                        Long.parseLong(sub(anchor, "sequence")),
                        HexFormat.of().parseHex(sub(anchor, "hash")),
                        Long.parseLong(sub(anchor, "from")),
                        Long.parseLong(sub(anchor, "to")),
                        sub(anchor, "keyId"),
                        base64(sub(anchor, "signature")));
                same(
                        node,
                        FHIR.anchor(
                                item.sequence(), item.hash(), item.from(), item.to(), item.keyId(), item.signature()),
                        "anchor");
                return item;
            }
            JsonNode checkpoint = extension(node, FhirAuditEvents.CHECKPOINT_EXTENSION);
            Checkpoint item = new Checkpoint(
                    Long.parseLong(sub(checkpoint, "firstSequence")),
                    Long.parseLong(sub(checkpoint, "lastSequence")),
                    HexFormat.of().parseHex(sub(checkpoint, "headHash")),
                    instant(sub(checkpoint, "time")),
                    sub(checkpoint, "keyId"),
                    base64(sub(checkpoint, "signature")));
            byte[] timestamp =
                    extensionOrNull(checkpoint, "timestamp") == null ? null : base64(sub(checkpoint, "timestamp"));
            same(node, FHIR.checkpoint(item, timestamp), "checkpoint ending at " + item.lastSequence());
            return new SignedCheckpoint(item, timestamp);
        }
        throw new Malformed("not an item of a Warden audit export");
    }

    private static void same(JsonNode found, String rendered, String what) throws Malformed {
        if (!JSON.readTree(rendered).equals(found)) {
            throw new Malformed("the " + what + " resource differs from what Warden writes for it");
        }
    }

    /** The record in a canonical form, which must be canonical and carry the sequence it is filed under. */
    private static AuditRecord record(String canonical, byte[] hash, long sequence) throws Malformed {
        AuditRecord record;
        try {
            record = RecordCodecV1.parse(canonical, hash);
        } catch (RuntimeException e) {
            throw new Malformed("record " + sequence + ": " + e.getMessage());
        }
        if (record.sequence() != sequence) {
            throw new Malformed("record " + sequence + " carries the canonical form of record " + record.sequence());
        }
        return record;
    }

    private static JsonNode extension(JsonNode resource, String url) throws Malformed {
        JsonNode found = extensionOrNull(resource, url);
        if (found == null) {
            throw new Malformed("the " + text(resource, "resourceType") + " lacks the extension " + url);
        }
        return found;
    }

    private static @Nullable JsonNode extensionOrNull(JsonNode resource, String url) {
        JsonNode extensions = resource.get("extension");
        if (extensions != null && extensions.isArray()) {
            for (JsonNode extension : extensions) {
                if (url.equals(text(extension, "url"))) {
                    return extension;
                }
            }
        }
        return null;
    }

    private static String sub(JsonNode extension, String url) throws Malformed {
        JsonNode found = extensionOrNull(extension, url);
        if (found == null || found.get("valueString") == null) {
            throw new Malformed("extension " + text(extension, "url") + " lacks " + url);
        }
        return found.get("valueString").asString();
    }

    private static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || !value.isString() ? null : value.asString();
    }

    private static String required(JsonNode node, String field) throws Malformed {
        String value = text(node, field);
        if (value == null) {
            throw new Malformed("missing '" + field + "'");
        }
        return value;
    }

    private static long number(JsonNode node, String field) throws Malformed {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber()) {
            throw new Malformed("'" + field + "' must be a whole number");
        }
        return value.asLong();
    }

    private static byte[] hex(JsonNode node, String field) throws Malformed {
        try {
            return HexFormat.of().parseHex(required(node, field));
        } catch (IllegalArgumentException e) {
            throw new Malformed("'" + field + "' is not hex");
        }
    }

    private static byte[] base64(String text) throws Malformed {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new Malformed("a signature is not base64");
        }
    }

    private static Instant instant(String text) throws Malformed {
        try {
            return Instant.parse(text);
        } catch (RuntimeException e) {
            throw new Malformed("'" + text + "' is not an instant");
        }
    }

    // ---- CSV --------------------------------------------------------------------------------------------

    /**
     * Every heading a Warden CSV export has had: the exporter's own, since headings are only ever added (older exports
     * have fewer: no timestamp, no names).
     */
    static final Set<String> CSV_COLUMNS = Set.copyOf(AuditExporter.CSV_COLUMNS);

    /** The readable names beside an event, which no signature covers. */
    static final Set<String> NAME_COLUMNS = Set.of("actor_name", "agent_name", "owner_name");

    /** The columns an event row fills besides those compared with its record. */
    private static final Set<String> EVENT_COLUMNS = Set.of("record_type", "sequence", "hash", "canonical");

    private static final class CsvItems implements Items {
        private final BufferedReader reader;
        private @Nullable List<String> header;
        private int row;

        CsvItems(BufferedReader reader) {
            this.reader = reader;
        }

        @Override
        public @Nullable Item next() throws Malformed, IOException {
            if (header == null) {
                header = readRow();
                if (header == null) {
                    throw new Malformed("the CSV has no header");
                }
                // the name columns are not compared with the record, so their headings must at least be Warden's own:
                // a heading changed in any byte is a changed file
                for (String column : header) {
                    if (!CSV_COLUMNS.contains(column)) {
                        throw new Malformed("the CSV has a column Warden does not write: '" + column + "'");
                    }
                }
            }
            List<String> cells = readRow();
            row++;
            if (cells == null) {
                return null;
            }
            if (cells.size() != header.size()) {
                throw new Malformed("row " + row + ": " + cells.size() + " cells, the header has " + header.size());
            }
            try {
                return switch (cell(cells, "record_type")) {
                    case "anchor" ->
                        new Anchor(
                                Long.parseLong(cell(cells, "sequence")),
                                HexFormat.of().parseHex(cell(cells, "hash")),
                                Long.parseLong(cell(cells, "range_from")),
                                Long.parseLong(cell(cells, "range_to")),
                                plain(cell(cells, "key_id")),
                                base64(plain(cell(cells, "signature"))));
                    case "event" -> event(cells);
                    case "checkpoint" ->
                        new SignedCheckpoint(
                                new Checkpoint(
                                        Long.parseLong(cell(cells, "first_sequence")),
                                        Long.parseLong(cell(cells, "sequence")),
                                        HexFormat.of().parseHex(cell(cells, "hash")),
                                        instant(cell(cells, "time")),
                                        plain(cell(cells, "key_id")),
                                        base64(plain(cell(cells, "signature")))),
                                timestamp(cells));
                    default ->
                        throw new Malformed(
                                "row " + row + ": unknown record_type '" + cell(cells, "record_type") + "'");
                };
            } catch (RuntimeException e) {
                throw new Malformed(
                        "row " + row + ": a value is malformed (" + e.getClass().getSimpleName() + ")");
            }
        }

        private Event event(List<String> cells) throws Malformed {
            long sequence = Long.parseLong(cell(cells, "sequence"));
            byte[] hash = HexFormat.of().parseHex(cell(cells, "hash"));
            String canonical = cell(cells, "canonical");
            AuditRecord record = record(canonical, hash, sequence);
            var event = record.event();
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("time", record.time().toString());
            expected.put("action", event.action());
            expected.put("actor_id", event.actor().id());
            expected.put("actor_type", event.actor().type().name());
            expected.put("agent_id", event.agentId());
            expected.put("owner_id", event.ownerId());
            expected.put("dataset", event.dataset());
            expected.put("tool", event.tool());
            expected.put("decision", event.decision());
            expected.put("reasons", String.join(" ", event.reasons()));
            expected.put("purpose", event.purposeOfUse());
            expected.put("outcome", event.outcome().name());
            expected.put("correlation_id", event.correlationId());
            for (var column : expected.entrySet()) {
                String value = column.getValue() == null ? "" : column.getValue();
                String shown = cell(cells, column.getKey());
                // exports since formula cells are defused carry a leading quote on such cells; older ones do not
                if (!value.equals(shown) && !value.equals(plain(shown))) {
                    throw new Malformed(
                            "row " + row + ": column " + column.getKey() + " differs from record " + sequence);
                }
            }
            List<String> header = Objects.requireNonNull(this.header, "next() reads the header before any row");
            for (int i = 0; i < header.size(); i++) {
                String column = header.get(i);
                String cell = cells.get(i);
                if (NAME_COLUMNS.contains(column)) {
                    // names are not signed, but Warden writes them on one line: a control character is a changed file
                    if (cell.chars().anyMatch(Character::isISOControl)) {
                        throw new Malformed("row " + row + ": column " + column + " holds a control character");
                    }
                } else if (!expected.containsKey(column) && !EVENT_COLUMNS.contains(column) && !cell.isEmpty()) {
                    throw new Malformed("row " + row + ": column " + column + " is not an event's and must be empty");
                }
            }
            return new Event(sequence, hash, canonical.getBytes(StandardCharsets.UTF_8));
        }

        /** The checkpoint's time-stamp token: a column exports have had since anchoring, empty when not anchored. */
        private byte @Nullable [] timestamp(List<String> cells) throws Malformed {
            List<String> header = Objects.requireNonNull(this.header, "next() reads the header before any row");
            int index = header.indexOf("timestamp");
            return index < 0 || cells.get(index).isEmpty() ? null : base64(cells.get(index));
        }

        /** A cell without the leading quote an export adds to defuse a formula ({@code AuditExporter} CsvWriter.inert). */
        private static String plain(String cell) {
            return cell.startsWith("'") ? cell.substring(1) : cell;
        }

        private String cell(List<String> cells, String column) throws Malformed {
            List<String> header = Objects.requireNonNull(this.header, "next() reads the header before any row");
            int index = header.indexOf(column);
            if (index < 0) {
                throw new Malformed("the CSV has no column '" + column + "'");
            }
            return cells.get(index);
        }

        /** One RFC 4180 record: quoted cells may hold commas, quotes (doubled) and line breaks. */
        private @Nullable List<String> readRow() throws IOException, Malformed {
            int c = reader.read();
            if (c < 0) {
                return null;
            }
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            while (true) {
                if (c < 0) {
                    if (quoted) {
                        throw new Malformed("row " + (row + 1) + ": a quoted cell is not closed");
                    }
                    cells.add(cell.toString());
                    return cells;
                }
                char ch = (char) c;
                if (quoted) {
                    if (ch == '"') {
                        reader.mark(1);
                        int peek = reader.read();
                        if (peek == '"') {
                            cell.append('"');
                        } else {
                            quoted = false;
                            reader.reset();
                        }
                    } else {
                        cell.append(ch);
                    }
                } else if (ch == '"' && cell.isEmpty()) {
                    quoted = true;
                } else if (ch == ',') {
                    cells.add(cell.toString());
                    cell.setLength(0);
                } else if (ch == '\r') {
                    // the \n that follows ends the row
                } else if (ch == '\n') {
                    cells.add(cell.toString());
                    return cells;
                } else {
                    cell.append(ch);
                }
                c = reader.read();
            }
        }
    }
}
