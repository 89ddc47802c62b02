package io.warden.registry.internal;

import io.warden.registry.PurposeOfUse;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** Conversions between PostgreSQL {@code text[]} / {@code timestamptz} columns and Java values. */
final class SqlArrays {

    private SqlArrays() {}

    static String[] toArray(Collection<?> values) {
        return values.stream().map(Object::toString).toArray(String[]::new);
    }

    static SortedSet<String> strings(ResultSet rs, String column) throws SQLException {
        Array array = rs.getArray(column);
        if (array == null) {
            return new TreeSet<>();
        }
        try {
            return new TreeSet<>(Arrays.asList((String[]) array.getArray()));
        } finally {
            array.free();
        }
    }

    static SortedSet<PurposeOfUse> purposes(ResultSet rs, String column) throws SQLException {
        SortedSet<PurposeOfUse> purposes = new TreeSet<>();
        for (String code : strings(rs, column)) {
            purposes.add(PurposeOfUse.valueOf(code));
        }
        return purposes;
    }

    static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    static Instant requiredInstant(ResultSet rs, String column) throws SQLException {
        Instant value = instant(rs, column);
        if (value == null) {
            throw new SQLException("column " + column + " is null");
        }
        return value;
    }

    static @Nullable Timestamp timestamp(@Nullable Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
