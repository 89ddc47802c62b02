/**
 * The imaging specialist: a reference orchestrator agent that works only through Warden. It authenticates with its own
 * client credentials ({@link ClientCredentialsTokens}, OAuth 2.0 client credentials against Warden's
 * {@code /oauth2/token}, renewed before expiry), connects to Warden's {@code /mcp} with the MCP Java SDK's client, lists
 * the tools it is granted, and answers "find similar cases and the likely finding" for a text or an image by calling a
 * search tool, {@code classify} and, when Warden lists it, {@code rag-classify} ({@link ImagingSpecialist}). Every call
 * states its purpose of use, dataset and the question's trace id in {@code _meta}.
 *
 * <p>Entry points: {@link ImagingSpecialistMain} (the command line) and {@link SpecialistCommand#run} (the same, in
 * process, as the end-to-end tests run it). A refusal by Warden ends the question with a {@link Outcome.Refused} naming
 * the step and Warden's reasons; the specialist never answers from a partial result.
 *
 * <p>It depends on no Warden module: everything it knows of Warden comes over HTTP, as for any third-party agent
 * (docs/agents.md).
 */
@NullMarked
@ApplicationModule(
        displayName = "imaging-specialist",
        allowedDependencies = {})
package io.warden.specialist;

import org.jspecify.annotations.NullMarked;
import org.springframework.modulith.ApplicationModule;
