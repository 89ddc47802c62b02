package io.warden.registry;

/**
 * All of the registry's use cases in one type, for code that drives the registry as a whole (the demo
 * data, the benchmarks, the registry's own tests). Everything else depends on the role port it needs:
 * {@link Agents}, {@link Approvals} and {@link Catalog} to change things, {@link AgentQueries},
 * {@link ApprovalQueries} and {@link CatalogQueries} to read them.
 */
public interface AgentRegistry extends Agents, AgentQueries, Approvals, ApprovalQueries, Catalog, CatalogQueries {}
