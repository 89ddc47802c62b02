/**
 * Warden's audit trail: an append-only, hash-chained, signed log of every decision and change,
 * with verification and compliance exports (FHIR AuditEvent, NDJSON, CSV).
 *
 * <p>Depends on no other Warden module. Every other module that must leave a trace records it here,
 * through the events it publishes. Nothing is implemented yet: the audit issue builds it.
 */
@NullMarked
@ApplicationModule(displayName = "audit", allowedDependencies = {})
package io.warden.audit;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
