package io.warden.registry.internal.web;

import io.warden.registry.Page;
import java.util.List;

/** One page of a list: the items, where the page starts, and how many match in all. */
record PageResponse<T>(List<T> items, int page, int size, long total) {

    static <T> PageResponse<T> of(Page<T> page) {
        return new PageResponse<>(page.items(), page.page(), page.size(), page.total());
    }
}
