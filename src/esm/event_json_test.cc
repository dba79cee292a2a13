#include "esm/event_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace lambdalite::esm {
namespace {

TEST(SerializeEvent, WritesTimestampsAsAwsDoes) {
  boost::json::object o;
  o["approximateArrivalTimestamp"] = 1545084650.987;
  o["ApproximateCreationDateTime"] = 1428537600.0;
  o["small"] = 0.25;
  EXPECT_EQ(SerializeEvent(o), R"({"approximateArrivalTimestamp":1545084650.987,)"
                               R"("ApproximateCreationDateTime":1428537600,"small":0.25})");
}

TEST(SerializeEvent, MatchesBoostForEverythingButDoubles) {
  const char* text =
      R"({"a":[1,-2,18446744073709551615,true,false,null,"x\"\n\u0001"],"b":{"c":{}},"d":[]})";
  const auto v = boost::json::parse(text);
  EXPECT_EQ(SerializeEvent(v), boost::json::serialize(v));
}

TEST(SerializeEvent, RoundTripsDoubles) {
  for (double d : {1e-7, 123456789012345678.0, 3.141592653589793, -0.5, 1e300}) {
    const auto text = SerializeEvent(boost::json::value(d));
    EXPECT_EQ(boost::json::parse(text).to_number<double>(), d) << text;
  }
}

}  // namespace
}  // namespace lambdalite::esm
