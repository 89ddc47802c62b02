/**
 * Demo data for a first look at Warden: people with each role, data scopes, tools, active agents with client
 * credentials ({@code DemoData}), and a text collection built from radiology-report sentences Warden ships
 * ({@code DemoCollection}), so that the demo agents' gateway calls answer on a fresh start. Seeded on start when
 * {@code warden.demo.enabled} is true (the default profile), idempotently, every row marked {@code demo}; the
 * {@code prod} profile turns it off.
 *
 * <p>The sentences ({@code demo/radiology-findings.ndjson}) were written for Warden; none comes from a patient.
 * Each carries its {@code label} (the finding), {@code modality}, {@code bodyPart} and {@code split}: every fifth
 * sentence of a label is {@code test}, held out for evaluation (search the {@code train} records with the filter
 * {@code split=train} and vote on the {@code test} sentences).
 */
@NullMarked
package io.warden.app.demo;

import org.jspecify.annotations.NullMarked;
