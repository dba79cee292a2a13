#include "api/router.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <unordered_map>
#include <utility>

namespace lambdalite::api {
namespace {

enum MethodSlot : int { kGet, kPost, kPut, kDelete, kPatch, kHead, kMethodCount };

int SlotOf(std::string_view method) {
  if (method == "GET") {
    return kGet;
  }
  if (method == "POST") {
    return kPost;
  }
  if (method == "PUT") {
    return kPut;
  }
  if (method == "DELETE") {
    return kDelete;
  }
  if (method == "PATCH") {
    return kPatch;
  }
  if (method == "HEAD") {
    return kHead;
  }
  return -1;
}

enum class SegmentKind : uint8_t { kLiteral, kLabel, kGreedyLabel };

struct Segment {
  SegmentKind kind;
  std::string_view text;  // the literal, or the label name; views into the model's static strings
};

struct QueryRequirement {
  std::string_view name;
  std::string_view value;
};

struct Route {
  const OperationInfo* op = nullptr;
  std::vector<Segment> segments;
  std::vector<QueryRequirement> fixed_query;
  size_t label_count = 0;
  bool greedy = false;  // the last segment is a {Label+}
};

// No model route has more than 8 segments; a request with more than this many can only match a
// greedy label, and the model has none, so it simply does not match.
constexpr size_t kMaxSegments = 32;

struct SplitPath {
  std::array<std::string_view, kMaxSegments> segments;
  size_t count = 0;
  std::string_view path;  // without the leading '/' and the tolerated trailing '/'
};

std::string_view Before(std::string_view text, char delimiter) {
  return text.substr(0, std::min(text.find(delimiter), text.size()));
}

// Splits "a=b&c&d=e" into name/value pairs and calls `fn(raw_name, raw_value)` for each
// non-empty pair; returning false from `fn` stops the walk.
template <typename Fn>
void ForEachQueryPair(std::string_view query, Fn&& fn) {
  while (!query.empty()) {
    std::string_view pair = Before(query, '&');
    query.remove_prefix(std::min(pair.size() + 1, query.size()));
    if (pair.empty()) {
      continue;
    }
    std::string_view name = Before(pair, '=');
    std::string_view value = name.size() < pair.size() ? pair.substr(name.size() + 1) : "";
    if (!fn(name, value)) {
      return;
    }
  }
}

bool NeedsDecoding(std::string_view text) {
  return text.find_first_of("%+") != std::string_view::npos;
}

class RouteTable {
 public:
  RouteTable() {
    const auto& ops = Operations();
    routes_.reserve(ops.size());
    for (const OperationInfo& op : ops) {
      routes_.push_back(Compile(op));
    }
    for (const Route& route : routes_) {
      int slot = SlotOf(route.op->method);
      if (slot < 0) {
        continue;  // not an HTTP method clients use; the model has none
      }
      if (route.segments.size() >= 2 && route.segments[0].kind == SegmentKind::kLiteral &&
          route.segments[1].kind == SegmentKind::kLiteral) {
        buckets_[slot][BucketKey(route.segments[0].text, route.segments[1].text)].push_back(&route);
      } else {
        unbucketed_[slot].push_back(&route);
      }
    }
    for (auto& by_key : buckets_) {
      for (auto& [key, routes] : by_key) {
        SortMostSpecificFirst(routes);
      }
    }
    for (auto& routes : unbucketed_) {
      SortMostSpecificFirst(routes);
    }
  }

  std::optional<RouteMatch> Match(std::string_view method, std::string_view target) const {
    int slot = SlotOf(method);
    if (slot < 0) {
      return std::nullopt;
    }
    std::string_view path = Before(target, '?');
    std::string_view query =
        path.size() < target.size() ? target.substr(path.size() + 1) : std::string_view();
    SplitPath split;
    if (!Split(path, &split)) {
      return std::nullopt;
    }
    if (split.count >= 2) {
      const auto& by_key = buckets_[slot];
      auto it = by_key.find(BucketKey(split.segments[0], split.segments[1]));
      if (it != by_key.end()) {
        if (const Route* route = FirstMatch(it->second, split, query)) {
          return BuildMatch(*route, split, query);
        }
      }
    }
    if (const Route* route = FirstMatch(unbucketed_[slot], split, query)) {
      return BuildMatch(*route, split, query);
    }
    return std::nullopt;
  }

 private:
  // "2015-03-31/functions": both segments are adjacent in the path and in the template, so the
  // key is a view of either and needs no allocation.
  static std::string_view BucketKey(std::string_view first, std::string_view second) {
    return std::string_view(first.data(),
                            static_cast<size_t>(second.data() + second.size() - first.data()));
  }

  static Route Compile(const OperationInfo& op) {
    Route route;
    route.op = &op;
    std::string_view uri = op.request_uri;
    std::string_view path = Before(uri, '?');
    if (path.size() < uri.size()) {
      ForEachQueryPair(uri.substr(path.size() + 1), [&](std::string_view n, std::string_view v) {
        route.fixed_query.push_back(QueryRequirement{n, v});
        return true;
      });
    }
    if (!path.empty() && path.front() == '/') {
      path.remove_prefix(1);
    }
    if (!path.empty() && path.back() == '/') {
      path.remove_suffix(1);
    }
    while (!path.empty()) {
      std::string_view text = Before(path, '/');
      path.remove_prefix(std::min(text.size() + 1, path.size()));
      Segment segment{SegmentKind::kLiteral, text};
      if (text.size() >= 2 && text.front() == '{' && text.back() == '}') {
        text = text.substr(1, text.size() - 2);
        segment.kind = SegmentKind::kLabel;
        if (!text.empty() && text.back() == '+') {
          text.remove_suffix(1);
          segment.kind = SegmentKind::kGreedyLabel;
          route.greedy = true;
        }
        segment.text = text;
        ++route.label_count;
      }
      route.segments.push_back(segment);
    }
    return route;
  }

  // Fixed query parts first, then literal segments before labels, position by position.
  static void SortMostSpecificFirst(std::vector<const Route*>& routes) {
    std::stable_sort(routes.begin(), routes.end(), [](const Route* a, const Route* b) {
      if (a->fixed_query.size() != b->fixed_query.size()) {
        return a->fixed_query.size() > b->fixed_query.size();
      }
      size_t n = std::min(a->segments.size(), b->segments.size());
      for (size_t i = 0; i < n; ++i) {
        if (a->segments[i].kind != b->segments[i].kind) {
          return a->segments[i].kind < b->segments[i].kind;
        }
      }
      return a->segments.size() > b->segments.size();
    });
  }

  static bool Split(std::string_view path, SplitPath* out) {
    if (path.empty() || path.front() != '/') {
      return false;
    }
    path.remove_prefix(1);
    if (!path.empty() && path.back() == '/') {
      path.remove_suffix(1);
    }
    out->path = path;
    if (path.empty()) {
      return true;
    }
    // Segments are short; a plain loop beats a memchr call per segment.
    size_t begin = 0;
    for (size_t i = 0; i <= path.size(); ++i) {
      if (i == path.size() || path[i] == '/') {
        if (out->count == kMaxSegments) {
          return false;
        }
        out->segments[out->count++] = path.substr(begin, i - begin);
        begin = i + 1;
      }
    }
    return true;
  }

  static bool SegmentsMatch(const Route& route, const SplitPath& split) {
    size_t n = route.segments.size();
    if (route.greedy ? split.count < n : split.count != n) {
      return false;
    }
    for (size_t i = 0; i < n; ++i) {
      const Segment& segment = route.segments[i];
      std::string_view actual = split.segments[i];
      if (segment.kind == SegmentKind::kLiteral ? actual != segment.text : actual.empty()) {
        return false;
      }
    }
    return true;
  }

  static bool HasQueryParam(std::string_view query, const QueryRequirement& wanted) {
    bool found = false;
    ForEachQueryPair(query, [&](std::string_view name, std::string_view value) {
      if (NeedsDecoding(name) || NeedsDecoding(value)) {
        found =
            PercentDecode(name, true) == wanted.name && PercentDecode(value, true) == wanted.value;
      } else {
        found = name == wanted.name && value == wanted.value;
      }
      return !found;
    });
    return found;
  }

  static const Route* FirstMatch(const std::vector<const Route*>& routes, const SplitPath& split,
                                 std::string_view query) {
    for (const Route* route : routes) {
      if (!SegmentsMatch(*route, split)) {
        continue;
      }
      bool query_ok =
          std::all_of(route->fixed_query.begin(), route->fixed_query.end(),
                      [&](const QueryRequirement& wanted) { return HasQueryParam(query, wanted); });
      if (query_ok) {
        return route;
      }
    }
    return nullptr;
  }

  static RouteMatch BuildMatch(const Route& route, const SplitPath& split, std::string_view query) {
    RouteMatch match;
    match.op = route.op;
    match.labels.reserve(route.label_count);
    for (size_t i = 0; i < route.segments.size(); ++i) {
      const Segment& segment = route.segments[i];
      if (segment.kind == SegmentKind::kLabel) {
        match.labels.push_back(UriLabel{segment.text, PercentDecode(split.segments[i], false)});
      } else if (segment.kind == SegmentKind::kGreedyLabel) {
        // The rest of the path, from this segment on, slashes included.
        auto offset = static_cast<size_t>(split.segments[i].data() - split.path.data());
        match.labels.push_back(
            UriLabel{segment.text, PercentDecode(split.path.substr(offset), false)});
      }
    }
    ForEachQueryPair(query, [&](std::string_view name, std::string_view value) {
      match.query.emplace(PercentDecode(name, true), PercentDecode(value, true));
      return true;
    });
    return match;
  }

  std::vector<Route> routes_;  // never resized after construction: buckets point into it
  std::array<std::unordered_map<std::string_view, std::vector<const Route*>>, kMethodCount>
      buckets_;
  std::array<std::vector<const Route*>, kMethodCount> unbucketed_;
};

const RouteTable& Table() {
  static const RouteTable table;
  return table;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

const std::string* RouteMatch::Label(std::string_view name) const {
  for (const UriLabel& label : labels) {
    if (label.name == name) {
      return &label.value;
    }
  }
  return nullptr;
}

std::optional<RouteMatch> MatchRoute(std::string_view method, std::string_view target) {
  return Table().Match(method, target);
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  size_t first = plus_is_space ? text.find_first_of("%+") : text.find('%');
  if (first == std::string_view::npos) {
    return std::string(text);  // the common case: nothing to decode
  }
  std::string out(text.size(), '\0');
  text.copy(out.data(), first);
  size_t w = first;
  for (size_t i = first; i < text.size(); ++i) {
    char c = text[i];
    int hi = 0;
    int lo = 0;
    if (c == '%' && i + 2 < text.size() && (hi = HexValue(text[i + 1])) >= 0 &&
        (lo = HexValue(text[i + 2])) >= 0) {
      out[w++] = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out[w++] = c == '+' && plus_is_space ? ' ' : c;
    }
  }
  out.resize(w);
  return out;
}

}  // namespace lambdalite::api
