#pragma once

// Event filtering for event source mappings: AWS's filter pattern language, as the Lambda
// developer guide documents it ("Control which events Lambda sends to your function").
//
// A pattern is a JSON object whose leaves are arrays of matchers; an event matches a pattern when
// every key of the pattern matches (nested objects descend into the event), and a leaf array
// matches when any of its matchers does. Matchers:
//   "text", 12, true, null, ""      exact value (numbers by value: 100 matches 100.0)
//   {"prefix": "x"}                 string prefix        {"suffix": "x"}  string suffix
//   {"equals-ignore-case": "x"}     case-insensitive exact string
//   {"wildcard": "a*b"}             '*' matches any run of characters
//   {"anything-but": v | [v...] | {"prefix": "x"} | {"suffix": "x"} | {"equals-ignore-case": ...}}
//   {"numeric": ["<", 1, ">=", 0]}  one or two comparisons
//   {"exists": true|false}          the key holds a leaf value (null included), or is absent
//   {"cidr": "10.0.0.0/24"}         an IPv4/IPv6 address string inside the range
//   "$or": [pattern, pattern...]    any of the sub-patterns (at any level)
// An event value that is an array matches when any of its elements does.
//
// A mapping has up to 5 filters (FilterCriteria.Filters); a record is sent to the function when
// any filter matches. What the record looks like to the filter is the caller's business: SQS
// filters see the message with `body` parsed as JSON when it is a JSON object (else a plain
// string), Kinesis filters see `data` decoded and parsed the same way, DynamoDB filters see the
// stream record as the function would.

#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lambdalite::esm {

class FilterPattern;

// The filters of one mapping, compiled once.
class EventFilter {
 public:
  // Parses FilterCriteria.Filters[].Pattern texts. Fails with kInvalidParameter and AWS's text
  // "Invalid filter pattern definition." on anything that is not a valid pattern (not JSON, not
  // an object, a leaf that is not an array, an unknown matcher, ...).
  static Result<EventFilter> Parse(const std::vector<std::string>& patterns);

  // No filters: everything matches.
  bool empty() const { return patterns_.empty(); }

  // Whether `record` matches any filter (always true without filters).
  bool Matches(const boost::json::value& record) const;

  EventFilter();
  ~EventFilter();
  EventFilter(EventFilter&&) noexcept;
  EventFilter& operator=(EventFilter&&) noexcept;

 private:
  std::vector<std::shared_ptr<const FilterPattern>> patterns_;
};

// The filter view of a record whose payload (SQS `body`, Kinesis `data` decoded) may be JSON:
// the parsed value when `text` is a JSON object or array, else the string itself. AWS: a body
// that is not valid JSON can only be matched as a plain string.
boost::json::value PayloadForFiltering(std::string_view text);

}  // namespace lambdalite::esm
