// Fuzzes the event filter language (esm/event_filter.h): pattern parsing and matching must never
// crash, recurse without bound or loop, whatever the pattern and the record. Checks that a parsed
// filter's verdict is stable (matching twice agrees) and that a pattern refused alone is refused
// inside a list too.
//
// Input: the first line is a filter pattern, the second an optional second pattern, the rest the
// record (any text: it goes through PayloadForFiltering as an SQS body would, and is also matched
// as the record's "body").

#include <boost/json/object.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "esm/event_filter.h"
#include "fuzz_input.h"

namespace {

using namespace lambdalite;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "event_filter_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string first(fuzz::NextLine(in));
  const std::string second(fuzz::NextLine(in));

  auto alone = esm::EventFilter::Parse({first});
  auto both = esm::EventFilter::Parse({second, first});
  Check(alone.ok() || !both.ok(), "a refused pattern was accepted inside a list");
  if (!both.ok()) return 0;

  const boost::json::value payload = esm::PayloadForFiltering(in);
  boost::json::object record;
  record["messageId"] = "m";
  record["body"] = payload;
  const boost::json::value wrapped(std::move(record));
  for (const auto& value : {payload, wrapped}) {
    const bool verdict = both->Matches(value);
    Check(verdict == both->Matches(value), "matching is not stable");
    if (alone.ok() && alone->Matches(value))
      Check(verdict, "a list matched less than one of its filters");
  }
  return 0;
}
