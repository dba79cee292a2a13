#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "service/function_service.h"

namespace lambdalite::service {

// Cuts one page out of `all` (already in list order). A marker is the sort key of the first item
// of the next page, so it stays valid while items before it come and go. An unknown marker gives
// an empty page.
template <typename T, typename KeyFn>
Page<T> Paginate(std::vector<T> all, const std::optional<std::string>& marker, int max_items,
                 KeyFn key) {
  Page<T> page;
  size_t start = 0;
  if (marker) {
    while (start < all.size() && key(all[start]) != *marker) ++start;
  }
  size_t end = std::min(all.size(), start + static_cast<size_t>(std::max(max_items, 1)));
  for (size_t i = start; i < end; ++i) page.items.push_back(std::move(all[i]));
  if (end < all.size()) page.next_marker = key(all[end]);
  return page;
}

}  // namespace lambdalite::service
