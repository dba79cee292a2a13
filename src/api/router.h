#pragma once

// Request routing: which AWS Lambda operation an HTTP request addresses.
//
// Routes are the requestUri templates of every operation in the service model (api/model.h),
// compiled once into segment lists bucketed by method and the first two path segments, so a match
// costs a hash look-up and a few segment comparisons. Thread-safe; the route table is built on
// first use.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/model.h"

namespace lambdalite::api {

struct UriLabel {
  std::string_view name;  // the template's label name, e.g. "FunctionName" (static storage)
  std::string value;      // percent-decoded, e.g. "my-function:$LATEST"
};

// Query parameters, percent-decoded ('+' reads as a space), ordered by name. A name may repeat
// (list members such as UntagResource's tagKeys); its values keep their request order.
// Look-ups by string_view need no allocation.
using QueryParams = std::multimap<std::string, std::string, std::less<>>;

struct RouteMatch {
  const OperationInfo* op = nullptr;
  std::vector<UriLabel> labels;  // in template order
  QueryParams query;             // every parameter of the request, the fixed ones included

  // The decoded value of URI label `name`, or nullptr.
  const std::string* Label(std::string_view name) const;
};

// Matches `method` ("GET", ...) and `target`, the raw request-target (path plus optional
// "?query", still percent-encoded), against the routes of all operations.
//  - Literal segments compare exactly; a {Label} matches one non-empty segment and a greedy
//    {Label+} the rest of the path; labels are percent-decoded after splitting, so an encoded
//    '/' (%2F) stays inside its label.
//  - A trailing '/' is ignored (clients send the legacy InvokeAsync as ".../invoke-async/").
//  - A route with a fixed query part (e.g. "?List=ALL") matches only when the request carries
//    those parameters, and wins over a route with the same path and none.
// Returns nullopt when no operation matches (an unknown path, or a known path with another
// method).
std::optional<RouteMatch> MatchRoute(std::string_view method, std::string_view target);

// Percent-decodes `text`. With `plus_is_space` (query strings) '+' decodes to ' '. A '%' not
// followed by two hex digits is kept as it is.
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace lambdalite::api
