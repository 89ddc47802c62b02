/**
 * Warden's load drivers and JMH benchmarks. They are run by hand (see {@code bench/README.md}); each
 * prints its figures as JSON under the keys the issues name, and {@code bench/results/} keeps them with
 * their command, machine and date.
 */
@NullMarked
package io.warden.bench;

import org.jspecify.annotations.NullMarked;
