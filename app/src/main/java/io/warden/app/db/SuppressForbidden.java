package io.warden.app.db;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a deliberate use of an API the build forbids (build/forbidden-apis.txt), such as a pause that is the point of
 * a retry backoff; {@link #value()} says why. Read by the forbiddenapis check from the class files.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.CONSTRUCTOR, ElementType.TYPE})
@interface SuppressForbidden {

    /** Why the forbidden API is right here. */
    String value();
}
