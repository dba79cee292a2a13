#include "esm/event_filter.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace lambdalite::esm {
namespace {

namespace json = boost::json;

struct Case {
  const char* name;
  const char* pattern;
  const char* event;
  bool matches;
};

// The rows of the "Filter rule syntax" table of the Lambda developer guide ("Control which events
// Lambda sends to your function"), each with an event that matches and one that does not, plus
// the SQS, Kinesis and DynamoDB examples of the same guide.
const Case kCases[] = {
    {"null", R"({"UserID": [null]})", R"({"UserID": null})", true},
    {"null_not_empty", R"({"UserID": [null]})", R"({"UserID": ""})", false},
    {"null_absent", R"({"UserID": [null]})", R"({})", false},
    {"empty", R"({"LastName": [""]})", R"({"LastName": ""})", true},
    {"empty_not_null", R"({"LastName": [""]})", R"({"LastName": null})", false},
    {"equals", R"({"Name": ["Alice"]})", R"({"Name": "Alice"})", true},
    {"equals_case", R"({"Name": ["Alice"]})", R"({"Name": "alice"})", false},
    {"ignore_case", R"({"Name": [{"equals-ignore-case": "alice"}]})", R"({"Name": "ALICE"})", true},
    {"ignore_case_other", R"({"Name": [{"equals-ignore-case": "alice"}]})", R"({"Name": "Bob"})",
     false},
    {"and", R"({"Location": ["New York"], "Day": ["Monday"]})",
     R"({"Location": "New York", "Day": "Monday"})", true},
    {"and_one_fails", R"({"Location": ["New York"], "Day": ["Monday"]})",
     R"({"Location": "New York", "Day": "Tuesday"})", false},
    {"or_values", R"({"PaymentType": ["Credit", "Debit"]})", R"({"PaymentType": "Debit"})", true},
    {"or_values_none", R"({"PaymentType": ["Credit", "Debit"]})", R"({"PaymentType": "Cash"})",
     false},
    {"or_fields", R"({"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]})",
     R"({"Location": "Boston", "Day": "Monday"})", true},
    {"or_fields_none", R"({"$or": [{"Location": ["New York"]}, {"Day": ["Monday"]}]})",
     R"({"Location": "Boston", "Day": "Friday"})", false},
    {"or_with_and", R"({"Type": ["a"], "$or": [{"x": [1]}, {"y": [2]}]})",
     R"({"Type": "b", "y": 2})", false},
    {"not", R"({"Weather": [{"anything-but": ["Raining"]}]})", R"({"Weather": "Sunny"})", true},
    {"not_excluded", R"({"Weather": [{"anything-but": ["Raining"]}]})", R"({"Weather": "Raining"})",
     false},
    {"not_absent", R"({"Weather": [{"anything-but": ["Raining"]}]})", R"({})", false},
    {"not_single_value", R"({"Weather": [{"anything-but": "Raining"}]})", R"({"Weather": "Snow"})",
     true},
    {"not_prefix", R"({"Region": [{"anything-but": {"prefix": "us-"}}]})",
     R"({"Region": "eu-west-1"})", true},
    {"not_prefix_excluded", R"({"Region": [{"anything-but": {"prefix": "us-"}}]})",
     R"({"Region": "us-east-1"})", false},
    {"numeric_equals", R"({"Price": [{"numeric": ["=", 100]}]})", R"({"Price": 100})", true},
    {"numeric_equals_double", R"({"Price": [{"numeric": ["=", 100]}]})", R"({"Price": 100.0})",
     true},
    {"numeric_equals_string", R"({"Price": [{"numeric": ["=", 100]}]})", R"({"Price": "100"})",
     false},
    {"numeric_range_low", R"({"Price": [{"numeric": [">", 10, "<=", 20]}]})", R"({"Price": 10})",
     false},
    {"numeric_range_in", R"({"Price": [{"numeric": [">", 10, "<=", 20]}]})", R"({"Price": 20})",
     true},
    {"numeric_range_high", R"({"Price": [{"numeric": [">", 10, "<=", 20]}]})", R"({"Price": 20.5})",
     false},
    {"numeric_one_sided", R"({"Temperature": [{"numeric": [">=", -5.5]}]})",
     R"({"Temperature": -5.5})", true},
    {"exists", R"({"ProductName": [{"exists": true}]})", R"({"ProductName": "Widget"})", true},
    {"exists_absent", R"({"ProductName": [{"exists": true}]})", R"({"Other": 1})", false},
    {"exists_object_is_not_leaf", R"({"ProductName": [{"exists": true}]})",
     R"({"ProductName": {"a": 1}})", false},
    {"not_exists", R"({"ProductName": [{"exists": false}]})", R"({"Other": 1})", true},
    {"not_exists_present", R"({"ProductName": [{"exists": false}]})", R"({"ProductName": "x"})",
     false},
    {"begins_with", R"({"Region": [{"prefix": "us-"}]})", R"({"Region": "us-west-2"})", true},
    {"begins_with_no", R"({"Region": [{"prefix": "us-"}]})", R"({"Region": "eu-west-2"})", false},
    {"ends_with", R"({"FileName": [{"suffix": ".png"}]})", R"({"FileName": "cat.png"})", true},
    {"ends_with_no", R"({"FileName": [{"suffix": ".png"}]})", R"({"FileName": "cat.jpg"})", false},
    {"wildcard", R"({"Key": [{"wildcard": "dir/*.png"}]})", R"({"Key": "dir/a/b.png"})", true},
    {"wildcard_no", R"({"Key": [{"wildcard": "dir/*.png"}]})", R"({"Key": "dir/a.jpg"})", false},
    {"cidr_v4", R"({"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]})",
     R"({"sourceIPAddress": "10.0.0.255"})", true},
    {"cidr_v4_outside", R"({"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]})",
     R"({"sourceIPAddress": "10.0.1.0"})", false},
    {"cidr_v6", R"({"ip": [{"cidr": "2001:db8::/32"}]})", R"({"ip": "2001:db8:1::1"})", true},
    {"cidr_not_an_address", R"({"ip": [{"cidr": "10.0.0.0/8"}]})", R"({"ip": "ten"})", false},
    {"event_array_any", R"({"tags": ["b"]})", R"({"tags": ["a", "b"]})", true},
    {"event_array_none", R"({"tags": ["c"]})", R"({"tags": ["a", "b"]})", false},
    {"boolean", R"({"active": [true]})", R"({"active": true})", true},
    {"boolean_not_string", R"({"active": [true]})", R"({"active": "true"})", false},
    {"empty_pattern", R"({})", R"({"anything": 1})", true},
    // The guide's SQS example: the body is JSON, filtered under "body".
    {"sqs_body", R"({"body": {"RequestCode": ["BBBB"]}})",
     R"({"messageId": "1", "body": {"RequestCode": "BBBB", "x": 1}})", true},
    {"sqs_body_other", R"({"body": {"RequestCode": ["BBBB"]}})",
     R"({"messageId": "1", "body": {"RequestCode": "AAAA"}})", false},
    {"sqs_plain_body", R"({"body": ["hello"]})", R"({"body": "hello"})", true},
    {"sqs_plain_body_nested_pattern", R"({"body": {"a": ["x"]}})", R"({"body": "{not json"})",
     false},
    {"sqs_attribute", R"({"attributes": {"SenderId": [{"prefix": "AIDA"}]}})",
     R"({"attributes": {"SenderId": "AIDAIENQZJOLO23YVJ4VO"}})", true},
    // Kinesis: "data" decoded and parsed.
    {"kinesis_data", R"({"data": {"City": ["Seattle"], "Temperature": [{"numeric": [">", 40]}]}})",
     R"({"partitionKey": "1", "data": {"City": "Seattle", "Temperature": 46}})", true},
    {"kinesis_metadata", R"({"partitionKey": ["1"]})", R"({"partitionKey": "1", "data": "x"})",
     true},
    // DynamoDB: the stream record as the function sees it.
    {"dynamodb_insert",
     R"({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"id": {"BOOL": [true]}}}})",
     R"({"eventName": "INSERT", "dynamodb": {"NewImage": {"id": {"BOOL": true}}}})", true},
    {"dynamodb_modify", R"({"eventName": ["INSERT"]})", R"({"eventName": "MODIFY"})", false},
    {"dynamodb_number_attribute",
     R"({"dynamodb": {"Keys": {"CustomerId": {"S": [{"prefix": "C-"}]}}}})",
     R"({"dynamodb": {"Keys": {"CustomerId": {"S": "C-1"}}}})", true},
};

class EventFilterCase : public ::testing::TestWithParam<Case> {};

TEST_P(EventFilterCase, MatchesAsTheGuideSays) {
  const Case& c = GetParam();
  auto filter = EventFilter::Parse({c.pattern});
  ASSERT_TRUE(filter.ok()) << c.pattern << ": " << filter.error().message;
  EXPECT_EQ(filter->Matches(json::parse(c.event)), c.matches) << c.pattern << " vs " << c.event;
}

INSTANTIATE_TEST_SUITE_P(Guide, EventFilterCase, ::testing::ValuesIn(kCases),
                         [](const auto& test_info) { return std::string(test_info.param.name); });

class InvalidPattern : public ::testing::TestWithParam<const char*> {};

TEST_P(InvalidPattern, IsRefusedWithAwsText) {
  auto filter = EventFilter::Parse({GetParam()});
  ASSERT_FALSE(filter.ok()) << GetParam();
  EXPECT_EQ(filter.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(filter.error().message, "Invalid filter pattern definition.");
}

// The first four are recorded AWS refusals (aws-lambda-behaviour-2.md ES37).
INSTANTIATE_TEST_SUITE_P(
    Refused, InvalidPattern,
    ::testing::Values("null", "simple string", R"({"eventSource": "aws:sqs"})",
                      R"({"eventSource": []})", "", "[]", R"({"a": {}})", R"({"a": [[1]]})",
                      R"({"a": [{"prefix": 1}]})", R"({"a": [{"nope": "x"}]})",
                      R"({"a": [{"prefix": "x", "suffix": "y"}]})",
                      R"({"a": [{"numeric": [">", "x"]}]})", R"({"a": [{"numeric": ["~", 1]}]})",
                      R"({"a": [{"numeric": [">", 5, "<", 1]}]})",
                      R"({"a": [{"numeric": [">", 1, ">", 2]}]})", R"({"a": [{"exists": "yes"}]})",
                      R"({"a": [{"cidr": "10.0.0.0/33"}]})", R"({"a": [{"cidr": "bad"}]})",
                      R"({"a": [{"anything-but": []}]})",
                      R"({"a": [{"anything-but": {"x": "y"}}]})", R"({"$or": [{"a": ["x"]}]})",
                      R"({"$or": {"a": ["x"]}})"));

TEST(EventFilter, AnyOfSeveralFiltersMatches) {
  auto filter = EventFilter::Parse({R"({"a": ["1"]})", R"({"b": ["2"]})"});
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE(filter->Matches(json::parse(R"({"b": "2"})")));
  EXPECT_FALSE(filter->Matches(json::parse(R"({"c": "3"})")));
}

TEST(EventFilter, NoFiltersMatchEverything) {
  auto filter = EventFilter::Parse({});
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE(filter->empty());
  EXPECT_TRUE(filter->Matches(json::parse("{}")));
}

TEST(EventFilter, OneBadFilterRefusesAll) {
  EXPECT_FALSE(EventFilter::Parse({R"({"a": ["1"]})", "null"}).ok());
}

TEST(EventFilter, DeepPatternsAreRefusedNotOverflowed) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += R"({"a":)";
  deep += "[1]";
  for (int i = 0; i < 10000; ++i) deep += "}";
  EXPECT_FALSE(EventFilter::Parse({deep}).ok());
}

TEST(PayloadForFiltering, ParsesJsonObjectsAndKeepsOtherTextAsAString) {
  EXPECT_TRUE(PayloadForFiltering(R"({"a": 1})").is_object());
  EXPECT_TRUE(PayloadForFiltering("[1, 2]").is_array());
  EXPECT_EQ(PayloadForFiltering("42"), json::value("42"));
  EXPECT_EQ(PayloadForFiltering("{broken"), json::value("{broken"));
  EXPECT_EQ(PayloadForFiltering(""), json::value(""));
}

}  // namespace
}  // namespace lambdalite::esm
