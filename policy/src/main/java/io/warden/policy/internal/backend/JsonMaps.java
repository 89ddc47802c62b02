package io.warden.policy.internal.backend;

import java.util.Map;
import tools.jackson.core.type.TypeReference;

/** Jackson type references shared by the clients. */
final class JsonMaps {

    static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private JsonMaps() {}
}
