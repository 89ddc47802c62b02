package io.warden.registry;

import java.util.List;

/** Read access to the catalogue of data scopes and tools. Thread-safe; every call reads committed state. */
public interface CatalogQueries {

    DataScopeView dataScope(String key);

    List<DataScopeView> dataScopes();

    ToolView tool(String key);

    List<ToolView> tools();
}
