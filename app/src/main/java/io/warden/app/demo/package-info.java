/**
 * Demo data for a first look at Warden: people with each role, data scopes, tools and three active
 * agents with client credentials. Seeded on start when {@code warden.demo.enabled} is true (the default
 * profile), idempotently, every row marked {@code demo}; the {@code prod} profile turns it off.
 */
@NullMarked
package io.warden.app.demo;

import org.jspecify.annotations.NullMarked;
