package io.warden.registry;

/**
 * The catalogue use cases: the data scopes and tools agents are granted. Each method is one transaction
 * that publishes its event or changes nothing; read the catalogue through {@link CatalogQueries}. Thread-safe.
 */
public interface Catalog {

    DataScopeView createDataScope(String key, Commands.SaveDataScope scope, boolean demo, Actor actor);

    DataScopeView updateDataScope(String key, Commands.SaveDataScope scope, long version, Actor actor);

    ToolView createTool(String key, Commands.SaveTool tool, boolean demo, Actor actor);

    ToolView updateTool(String key, Commands.SaveTool tool, long version, Actor actor);
}
