/**
 * The imaging cohort builder as Warden runs it: builds started for a COHORT_BUILDER agent, run step by step
 * by the workflow engine, checked against the agent's status and kill switches at every step, kept and
 * published per cohort, and read by the API and the portal's explorer.
 */
@NullMarked
package io.warden.app.cohort;

import org.jspecify.annotations.NullMarked;
