package io.warden.audit;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Streams a range of the trail, widened to the signed checkpoints around it, in an {@link ExportFormat},
 * with the signed header an auditor verifies offline. Callers record the export in the trail first.
 */
public interface AuditExports {

    void export(ExportFormat format, long from, long to, OutputStream out) throws IOException;
}
