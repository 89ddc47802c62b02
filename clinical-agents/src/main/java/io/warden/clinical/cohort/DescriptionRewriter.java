package io.warden.clinical.cohort;

import java.util.List;

/**
 * Port to an optional rewriter (a language model) that rephrases the template descriptions of a series
 * more naturally. Off by default: the templates alone are deterministic and need no model. A rewriter must
 * return as many texts as it was given and must not add facts; {@link SeriesDescriptions} keeps the template
 * text wherever a rewrite is empty or repeats another.
 */
public interface DescriptionRewriter {

    List<String> rewrite(CohortSeries series, List<String> descriptions);
}
