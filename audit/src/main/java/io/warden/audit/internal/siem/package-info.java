/**
 * Streaming the audit trail to SIEMs (issue 23), at least once and in sequence order.
 *
 * <p>Configure receivers under {@code warden.audit.siem.sinks[n]} ({@link io.warden.audit.internal.siem.SiemProperties}):
 * syslog (RFC 5424 over TCP or TLS, octet-counted, JSON or CEF after the header), OTLP/HTTP logs in the JSON encoding,
 * or an HMAC-SHA256-signed webhook. One {@link io.warden.audit.internal.siem.SiemStreamer} per sink follows the trail
 * from its durable cursor ({@code audit_siem_cursor}), which moves only after the receiver accepted, and only while
 * this instance holds the sink's lease, so replicas never stream one sink twice at once.
 *
 * <p>Messages hold only what the trail holds (no payloads), always with the record's sequence number: a receiver
 * drops repeats by it (after a failure or a takeover the stream repeats from the cursor) and sees a skip as a gap.
 */
@NullMarked
package io.warden.audit.internal.siem;

import org.jspecify.annotations.NullMarked;
