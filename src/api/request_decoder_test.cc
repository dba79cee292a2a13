#include "api/request_decoder.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <utility>
#include <vector>

#include "api/cpu_time_testing.h"
#include "api/model.h"
#include "api/router.h"

namespace lambdalite::api {
namespace {

namespace json = boost::json;

Result<json::object> Decode(std::string method, std::string target, std::string body = {},
                            std::vector<http::Header> headers = {}) {
  http::HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(body);
  request.headers = std::move(headers);
  std::optional<RouteMatch> match = MatchRoute(request.method, request.target);
  if (!match) {
    return Error::Make(ErrorCode::kUnknownOperation, "no route");
  }
  return DecodeInput(*match, request);
}

// The error of a request that must fail.
Error Fails(Result<json::object> result) {
  EXPECT_FALSE(result.ok());
  if (result.ok()) {
    return Error{};
  }
  return std::move(result).error();
}

std::string Validation(const std::string& one) { return "1 validation error detected: " + one; }

constexpr char kRolePattern[] = R"(arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+)";
constexpr char kGoodRole[] = "arn:aws:iam::123456789012:role/lambda-role";

std::string CreateBody(const std::string& extra) {
  return std::string(R"({"FunctionName":"f","Role":")") + kGoodRole +
         R"(","Code":{"ZipFile":"UEsDBA=="},"Runtime":"python3.12","Handler":"h.h")" + extra + "}";
}

// --- Decoding -----------------------------------------------------------------------------------

TEST(DecodeInputTest, GetFunctionMergesLabelAndQuery) {
  auto r =
      Decode("GET",
             "/2015-03-31/functions/"
             "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af?Qualifier=%24LATEST");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(
      json::serialize(*r),
      R"({"FunctionName":"arn:aws:lambda:us-east-1:123456789012:function:f","Qualifier":"$LATEST"})");
}

TEST(DecodeInputTest, QueryValuesAreConvertedToTheMemberType) {
  auto r = Decode("GET", "/2015-03-31/functions?MaxItems=10&Marker=abc&FunctionVersion=ALL");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE(r->at("MaxItems").is_int64());
  EXPECT_EQ(r->at("MaxItems").get_int64(), 10);
  EXPECT_EQ(r->at("Marker").get_string(), "abc");
  EXPECT_EQ(r->at("FunctionVersion").get_string(), "ALL");

  auto history = Decode("GET",
                        "/2025-12-01/durable-executions/"
                        "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af%3A1%"
                        "2Fdurable-execution%2Fa%2Fb/history?IncludeExecutionData=true&"
                        "ReverseOrder=false&MaxItems=5");
  ASSERT_TRUE(history.ok()) << history.error().message;
  EXPECT_EQ(history->at("IncludeExecutionData"), json::value(true));
  EXPECT_EQ(history->at("ReverseOrder"), json::value(false));

  auto untag =
      Decode("DELETE",
             "/2017-03-31/tags/"
             "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af?tagKeys=a&tagKeys=b");
  ASSERT_TRUE(untag.ok()) << untag.error().message;
  EXPECT_EQ(json::serialize(untag->at("TagKeys")), R"(["a","b"])");

  auto layer = Decode("GET", "/2018-10-31/layers/my-layer/versions/3");
  ASSERT_TRUE(layer.ok()) << layer.error().message;
  EXPECT_EQ(layer->at("VersionNumber"), json::value(3));
}

TEST(DecodeInputTest, QueryTextOfTheWrongTypeIsASerializationError) {
  Error e = Fails(Decode("GET", "/2015-03-31/functions?MaxItems=ten"));
  EXPECT_EQ(e.code, ErrorCode::kInvalidContent);
  EXPECT_EQ(e.detail, "SerializationException");
  EXPECT_EQ(e.message, "STRING_VALUE can not be converted to an Integer");
  EXPECT_EQ(Fails(Decode("GET", "/2015-03-31/functions?MaxItems=99999999999")).message,
            "STRING_VALUE can not be converted to an Integer");
  EXPECT_EQ(Fails(Decode("GET", "/2018-10-31/layers/l/versions/x")).message,
            "STRING_VALUE can not be converted to a Long");
  EXPECT_EQ(
      Fails(Decode("GET", "/2025-12-01/durable-executions/x/history?ReverseOrder=yes")).message,
      "STRING_VALUE can not be converted to an Boolean");
}

// A timestamp in the query string is ISO-8601 or epoch seconds; other text is refused by the
// decoder, so the typed shape (which reads only those two) never meets it.
TEST(DecodeInputTest, QueryTimestampsAreIso8601OrEpochSeconds) {
  const std::string list = "/2025-12-01/functions/f/durable-executions?";
  auto iso = Decode("GET", list + "StartedAfter=2024-01-31T12%3A34%3A56Z");
  ASSERT_TRUE(iso.ok()) << iso.error().message;
  EXPECT_EQ(iso->at("StartedAfter").get_string(), "2024-01-31T12:34:56Z");
  auto epoch = Decode("GET", list + "StartedBefore=1706704496.5");
  ASSERT_TRUE(epoch.ok()) << epoch.error().message;
  EXPECT_DOUBLE_EQ(epoch->at("StartedBefore").to_number<double>(), 1706704496.5);
  for (const char* bad : {"StartedBefore=", "StartedBefore=yesterday", "StartedBefore=%00%01",
                          "StartedAfter=2024-13-01T00%3A00%3A00Z", "StartedAfter=inf"}) {
    Error e = Fails(Decode("GET", list + bad));
    EXPECT_EQ(e.detail, "SerializationException") << bad;
    EXPECT_EQ(e.message, "STRING_VALUE can not be converted to a Date") << bad;
  }
}

// The same holds for a timestamp in a JSON body.
TEST(DecodeInputTest, BodyTimestampTextMustBeIso8601) {
  auto body = [](const std::string& ts) {
    return R"({"FunctionName":"f","EventSourceArn":"arn:aws:kinesis:us-east-1:123456789012:stream/s",)"
           R"("StartingPosition":"AT_TIMESTAMP","StartingPositionTimestamp":)" +
           ts + "}";
  };
  EXPECT_TRUE(Decode("POST", "/2015-03-31/event-source-mappings/", body("1706704496")).ok());
  EXPECT_TRUE(
      Decode("POST", "/2015-03-31/event-source-mappings/", body(R"("2024-01-31T12:34:56.5+01:00")"))
          .ok());
  EXPECT_EQ(Fails(Decode("POST", "/2015-03-31/event-source-mappings/", body(R"("soon")"))).message,
            "STRING_VALUE can not be converted to a Date");
}

TEST(DecodeInputTest, HeadersAreMatchedCaseInsensitively) {
  auto r = Decode("POST", "/2015-03-31/functions/f/invocations?Qualifier=1", R"({"k":1})",
                  {{"x-amz-invocation-type", "Event"},
                   {"X-AMZ-LOG-TYPE", "Tail"},
                   {"X-Amz-Client-Context", "e30="}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("InvocationType").get_string(), "Event");
  EXPECT_EQ(r->at("LogType").get_string(), "Tail");
  EXPECT_EQ(r->at("ClientContext").get_string(), "e30=");
  EXPECT_EQ(r->at("Qualifier").get_string(), "1");
}

TEST(DecodeInputTest, BlobPayloadIsPassedThroughRaw) {
  std::string raw = std::string("not json {\x01\xff", 13);
  auto r = Decode("POST", "/2015-03-31/functions/f/invocations", raw);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const json::string& payload = r->at("Payload").get_string();
  EXPECT_EQ(std::string(payload.data(), payload.size()), raw);
  EXPECT_EQ(r->at("FunctionName").get_string(), "f");

  auto empty = Decode("POST", "/2015-03-31/functions/f/invocations");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->contains("Payload"));

  auto legacy = Decode("POST", "/2014-11-13/functions/f/invoke-async/", R"({"a":1})");
  ASSERT_TRUE(legacy.ok()) << legacy.error().message;
  EXPECT_EQ(legacy->at("InvokeArgs").get_string(), R"({"a":1})");
}

TEST(DecodeInputTest, StructurePayloadIsTheParsedBody) {
  auto r = Decode("POST",
                  "/2025-12-01/durable-executions/"
                  "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af%3A1%2Fdurable-"
                  "execution%2Fa%2Fb/stop",
                  R"({"ErrorMessage":"boom","Unknown":1,"ErrorType":null})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(json::serialize(r->at("Error")), R"({"ErrorMessage":"boom"})");
}

TEST(DecodeInputTest, BodyMembersAreNormalized) {
  auto r = Decode("PUT", "/2015-03-31/functions/f/configuration",
                  R"({"Timeout":3.7,"MemorySize":256,"Description":null,"Bogus":{"x":1},)"
                  R"("Environment":{"Variables":{"AB":"1"}},"Layers":[]})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->at("Timeout"), json::value(3));  // AWS truncates a fraction for an Integer
  EXPECT_EQ(r->at("MemorySize"), json::value(256));
  EXPECT_FALSE(r->contains("Description"));  // null reads as absent
  EXPECT_FALSE(r->contains("Bogus"));        // unknown keys are dropped
  EXPECT_EQ(json::serialize(r->at("Environment")), R"({"Variables":{"AB":"1"}})");
  EXPECT_EQ(r->at("FunctionName").get_string(), "f");

  auto empty = Decode("POST", "/2015-03-31/functions/f/versions");
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  EXPECT_EQ(json::serialize(*empty), R"({"FunctionName":"f"})");
  auto null_body = Decode("POST", "/2015-03-31/functions/f/versions", " null ");
  ASSERT_TRUE(null_body.ok()) << null_body.error().message;
}

TEST(DecodeInputTest, OperationsWithoutBodyMembersIgnoreTheBody) {
  auto r = Decode("GET", "/2015-03-31/functions/f", "{garbage");
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto settings = Decode("GET", "/2016-08-19/account-settings");
  ASSERT_TRUE(settings.ok());
  EXPECT_TRUE(settings->empty());
}

// --- Malformed bodies ---------------------------------------------------------------------------

TEST(DecodeInputTest, UnparseableBodyIsInvalidRequestContent) {
  Error e = Fails(Decode("PUT", "/2015-03-31/functions/f/configuration", R"({"Timeout":3,})"));
  EXPECT_EQ(e.code, ErrorCode::kInvalidContent);
  EXPECT_EQ(e.detail, "");  // the default type: InvalidRequestContentException
  EXPECT_EQ(e.message,
            "Could not parse request body into json: Unexpected character ('}' (code 125)) at "
            "line 1, column 14");
  EXPECT_EQ(Fails(Decode("PUT", "/2015-03-31/functions/f/configuration", "{\"Timeout\":")).message,
            "Could not parse request body into json: Unexpected end-of-input at line 1, column 12");
  EXPECT_EQ(Fails(Decode("PUT", "/2015-03-31/functions/f/configuration", "{}\n{}")).message,
            "Could not parse request body into json: Unexpected character ('{' (code 123)) at "
            "line 2, column 1");
}

TEST(DecodeInputTest, InvalidUtf8BodyIsInvalidRequestContent) {
  Error e =
      Fails(Decode("PUT", "/2015-03-31/functions/f/configuration", "{\"Description\":\"a\x87\"}"));
  EXPECT_EQ(e.code, ErrorCode::kInvalidContent);
  EXPECT_EQ(e.message,
            "Could not parse request body into json: Invalid UTF-8 start byte 0x87 at line 1, "
            "column 18");
  EXPECT_EQ(
      Fails(Decode("PUT", "/2015-03-31/functions/f/configuration", "{\"Description\":\"\xc3(\"}"))
          .message,
      "Could not parse request body into json: Invalid UTF-8 middle byte 0x28 at line 1, "
      "column 18");
}

TEST(DecodeInputTest, WrongJsonTypesAreSerializationErrors) {
  struct Case {
    std::string body;
    std::string message;
  };
  const Case cases[] = {
      // The recorded Lambda answer (aarondfrancis/sidecar#28).
      {R"({"MemorySize":"1024"})", "STRING_VALUE can not be converted to an Integer"},
      {R"({"Description":5})", "NUMBER_VALUE can not be converted to a String"},
      {R"({"Description":true})", "TRUE_VALUE can not be converted to a String"},
      {R"({"Description":false})", "FALSE_VALUE can not be converted to a String"},
      {R"({"Environment":[]})", "Start of list found where not expected"},
      {R"({"Description":{}})", "Start of structure or map found where not expected."},
      {R"({"Environment":"x"})", "Expected null"},
      {R"({"Layers":"x"})", "Expected list or null"},
      {R"({"Layers":[1]})", "NUMBER_VALUE can not be converted to a String"},
      {R"({"Environment":{"Variables":{"A":1}}})", "NUMBER_VALUE can not be converted to a String"},
      {R"({"Timeout":3000000000})", "NUMBER_VALUE can not be converted to an Integer"},
      {R"([])", "Start of list found where not expected"},
      {R"("text")", "Expected null"},
  };
  for (const Case& c : cases) {
    Error e = Fails(Decode("PUT", "/2015-03-31/functions/f/configuration", c.body));
    EXPECT_EQ(e.code, ErrorCode::kInvalidContent) << c.body;
    EXPECT_EQ(e.detail, "SerializationException") << c.body;
    EXPECT_EQ(e.message, c.message) << c.body;
  }
}

// --- Validation messages ------------------------------------------------------------------------

TEST(ValidationTest, PatternMessageMatchesAws) {
  // Reference section 3, Role="r1".
  Error e = Fails(Decode("PUT", "/2015-03-31/functions/f/configuration", R"({"Role":"r1"})"));
  EXPECT_EQ(e.code, ErrorCode::kValidation);
  EXPECT_EQ(e.detail, "");
  EXPECT_EQ(e.message, Validation(std::string("Value 'r1' at 'role' failed to satisfy constraint: "
                                              "Member must satisfy regular expression pattern: ") +
                                  kRolePattern));
}

TEST(ValidationTest, LengthMessages) {
  std::string long_description(257, 'd');
  EXPECT_EQ(Fails(Decode("PUT", "/2015-03-31/functions/f/configuration",
                         R"({"Description":")" + long_description + "\"}"))
                .message,
            Validation("Value '" + long_description +
                       "' at 'description' failed to satisfy constraint: Member must have length "
                       "less than or equal to 256"));
  // 128 code points, but 256 UTF-16 units: AWS counts the latter.
  std::string emoji;
  for (int i = 0; i < 129; ++i) {
    emoji += "\xF0\x9F\x98\x80";
  }
  EXPECT_FALSE(
      Decode("PUT", "/2015-03-31/functions/f/configuration", R"({"Description":")" + emoji + "\"}")
          .ok());
  std::string fits;
  for (int i = 0; i < 128; ++i) {
    fits += "\xF0\x9F\x98\x80";
  }
  EXPECT_TRUE(
      Decode("PUT", "/2015-03-31/functions/f/configuration", R"({"Description":")" + fits + "\"}")
          .ok());
  // The Qualifier shape's pattern accepts the empty string, so only the minimum length fails.
  EXPECT_EQ(
      Fails(Decode("GET", "/2019-09-30/functions/f/provisioned-concurrency?Qualifier=")).message,
      Validation("Value '' at 'qualifier' failed to satisfy constraint: Member must have "
                 "length greater than or equal to 1"));
  // GetFunction's does not: two violations of one value, pattern first.
  EXPECT_EQ(Fails(Decode("GET", "/2015-03-31/functions/f?Qualifier=")).message,
            "2 validation errors detected: Value '' at 'qualifier' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: "
            "\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+; Value '' at 'qualifier' failed to "
            "satisfy constraint: Member must have length greater than or equal to 1");
}

TEST(ValidationTest, ValueRangeMessages) {
  EXPECT_EQ(Fails(Decode("PUT", "/2019-09-25/functions/f/event-invoke-config",
                         R"({"MaximumRetryAttempts":5})"))
                .message,
            Validation("Value '5' at 'maximumRetryAttempts' failed to satisfy constraint: Member "
                       "must have value less than or equal to 2"));
  EXPECT_EQ(Fails(Decode("PUT", "/2019-09-25/functions/f/event-invoke-config",
                         R"({"MaximumEventAgeInSeconds":59})"))
                .message,
            Validation("Value '59' at 'maximumEventAgeInSeconds' failed to satisfy constraint: "
                       "Member must have value greater than or equal to 60"));
  EXPECT_EQ(Fails(Decode("GET", "/2015-03-31/functions?MaxItems=0")).message,
            Validation("Value '0' at 'maxItems' failed to satisfy constraint: Member must have "
                       "value greater than or equal to 1"));
  // Doubles print the Java way.
  EXPECT_EQ(Fails(Decode("POST", "/2015-03-31/functions/f/aliases",
                         R"({"Name":"live","FunctionVersion":"1",)"
                         R"("RoutingConfig":{"AdditionalVersionWeights":{"2":1.5}}})"))
                .message,
            Validation("Value '{2=1.5}' at 'routingConfig.additionalVersionWeights' failed to "
                       "satisfy constraint: Map value must satisfy constraint: [Member must have "
                       "value less than or equal to 1.0, Member must have value greater than or "
                       "equal to 0.0, Member must not be null]"));
}

TEST(ValidationTest, EnumMessages) {
  // Reference section 3, SnapStart ApplyOn="invalidOption": also shows the nested path.
  EXPECT_EQ(Fails(Decode("PUT", "/2015-03-31/functions/f/configuration",
                         R"({"SnapStart":{"ApplyOn":"invalidOption"}})"))
                .message,
            Validation("Value 'invalidOption' at 'snapStart.applyOn' failed to satisfy "
                       "constraint: Member must satisfy enum value set: [PublishedVersions, "
                       "None]"));
  EXPECT_EQ(Fails(Decode("POST", "/2015-03-31/functions/f/invocations", "{}",
                         {{"X-Amz-Invocation-Type", "Later"}}))
                .message,
            Validation("Value 'Later' at 'invocationType' failed to satisfy constraint: Member "
                       "must satisfy enum value set: [Event, RequestResponse, DryRun]"));
}

TEST(ValidationTest, RequiredMemberMissing) {
  EXPECT_EQ(Fails(Decode("POST", "/2015-03-31/functions",
                         R"({"FunctionName":"f","Code":{"ZipFile":"UEsDBA=="}})"))
                .message,
            Validation("Value null at 'role' failed to satisfy constraint: Member must not be "
                       "null"));
  // Nested required members: FileSystemConfig needs Arn and LocalMountPath; a structure inside a
  // list is addressed as list.N.member.
  EXPECT_EQ(Fails(Decode("PUT", "/2015-03-31/functions/f/configuration",
                         R"({"FileSystemConfigs":[{"LocalMountPath":"/mnt/x"}]})"))
                .message,
            Validation("Value null at 'fileSystemConfigs.1.member.arn' failed to satisfy "
                       "constraint: Member must not be null"));
}

TEST(ValidationTest, ListMessages) {
  // Reference section 3, Architectures=["x86_64","arm64"] and ["X86_64"].
  EXPECT_EQ(Fails(Decode("POST", "/2015-03-31/functions",
                         CreateBody(R"(,"Architectures":["x86_64","arm64"])")))
                .message,
            Validation("Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: "
                       "Member must have length less than or equal to 1"));
  EXPECT_EQ(
      Fails(Decode("POST", "/2015-03-31/functions", CreateBody(R"(,"Architectures":["X86_64"])")))
          .message,
      Validation("Value '[X86_64]' at 'architectures' failed to satisfy constraint: Member "
                 "must satisfy constraint: [Member must satisfy enum value set: [x86_64, "
                 "arm64], Member must not be null]"));
  // The recorded layers message (reference part 2 LF9, 25-11-2025; an older answer quoted in
  // appleboy/lambda-action#83 had 140 and no "(eusc-)?"): all of the element's constraints.
  EXPECT_EQ(
      Fails(Decode("PUT", "/2015-03-31/functions/f/configuration", R"({"Layers":[""]})")).message,
      Validation("Value '[]' at 'layers' failed to satisfy constraint: Member must satisfy "
                 "constraint: [Member must have length less than or equal to 2048, Member "
                 "must have length greater than or equal to 1, Member must satisfy regular "
                 "expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|"
                 "(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|"
                 "(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), Member must not be "
                 "null]"));
  // A null element breaks "Member must not be null".
  EXPECT_EQ(Fails(Decode("POST", "/2015-03-31/functions", CreateBody(R"(,"Architectures":[null])")))
                .message,
            Validation("Value '[null]' at 'architectures' failed to satisfy constraint: Member "
                       "must satisfy constraint: [Member must satisfy enum value set: [x86_64, "
                       "arm64], Member must not be null]"));
}

TEST(ValidationTest, SensitiveMapValuesAreNotEchoed) {
  EXPECT_EQ(Fails(Decode("PUT", "/2015-03-31/functions/f/configuration",
                         R"({"Environment":{"Variables":{"bad-key":"secret"}}})"))
                .message,
            Validation("Value at 'environment.variables' failed to satisfy constraint: Map keys "
                       "must satisfy constraint: [Member must satisfy regular expression pattern: "
                       "[a-zA-Z]([a-zA-Z0-9_])+, Member must not be null]"));
}

TEST(ValidationTest, NestedPathAndModelPattern) {
  // Reference P10: an invalid destination ARN is reported at the nested path, quoting AWS's live
  // pattern (with "(eusc-)?", which the botocore model lacks: tools/shapegen LIVE_PATCHES).
  Error e = Fails(Decode(
      "PUT", "/2019-09-25/functions/f/event-invoke-config",
      R"({"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:_-/!lambda:us-east-1:123456789012:function:f"}}})"));
  EXPECT_EQ(e.code, ErrorCode::kValidation);
  EXPECT_EQ(e.message.rfind(Validation("Value 'arn:aws:_-/!lambda:us-east-1:123456789012:function:"
                                       "f' at 'destinationConfig.onFailure.destination' failed to "
                                       "satisfy constraint: Member must satisfy regular "
                                       "expression pattern: $|kafka://"),
                            0),
            0u)
      << e.message;
  EXPECT_TRUE(
      Decode(
          "PUT", "/2019-09-25/functions/f/event-invoke-config",
          R"({"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:sqs:us-east-1:123456789012:q"}},"MaximumRetryAttempts":0})")
          .ok());
}

TEST(ValidationTest, RecordedPatternsWinOverTheModel) {
  // R_TAG (reference part 2 section 8.3): the tagging pattern AWS quotes has "(eusc-)?" and
  // layers.
  EXPECT_EQ(
      Fails(Decode("POST", "/2017-03-31/tags/arn:aws:something", R"({"Tags":{"a":"b"}})")).message,
      Validation("Value 'arn:aws:something' at 'resource' failed to satisfy constraint: Member "
                 "must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:(eusc-)?"
                 "[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:"
                 "[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|"
                 "code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-"
                 "[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:"
                 "[a-zA-Z0-9-_]+)"));
  // An EU sovereign cloud region passes the function-name patterns, as on AWS.
  EXPECT_TRUE(Decode("GET",
                     "/2015-03-31/functions/"
                     "arn:aws:lambda:eusc-de-east-1:123456789012:function:f",
                     "")
                  .ok());
  EXPECT_TRUE(Decode("POST",
                     "/2017-03-31/tags/"
                     "arn:aws:lambda:eusc-de-east-1:123456789012:function:f",
                     R"({"Tags":{"a":"b"}})")
                  .ok());
  Error e = Fails(Decode("GET", "/2015-03-31/functions/a%20b", ""));
  EXPECT_NE(e.message.find("pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}"),
            std::string::npos)
      << e.message;
}

TEST(ValidationTest, MultipleErrorsAreCountedAndJoined) {
  // Alias name "" breaks its pattern and its minimum length; FunctionVersion is missing.
  Error e = Fails(Decode("POST", "/2015-03-31/functions/f/aliases", R"({"Name":""})"));
  EXPECT_EQ(e.code, ErrorCode::kValidation);
  EXPECT_EQ(e.message,
            "3 validation errors detected: "
            "Value null at 'functionVersion' failed to satisfy constraint: Member must not be "
            "null; "
            "Value '' at 'name' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+); "
            "Value '' at 'name' failed to satisfy constraint: Member must have length greater "
            "than or equal to 1");
  Error two = Fails(Decode("PUT", "/2019-09-25/functions/f/event-invoke-config",
                           R"({"MaximumRetryAttempts":3,"MaximumEventAgeInSeconds":1})"));
  EXPECT_EQ(two.message.rfind("2 validation errors detected: Value '1' at "
                              "'maximumEventAgeInSeconds' failed to satisfy constraint: Member "
                              "must have value greater than or equal to 60; Value '3' at "
                              "'maximumRetryAttempts'",
                              0),
            0u)
      << two.message;
}

TEST(ValidationTest, ValidRequestsPass) {
  EXPECT_TRUE(Decode("POST", "/2015-03-31/functions", CreateBody("")).ok());
  EXPECT_TRUE(Decode("GET", "/2015-03-31/functions/my-function:%24LATEST").ok());
  EXPECT_TRUE(Decode("GET", "/2015-03-31/functions/my-function?Qualifier=%24LATEST").ok());
  EXPECT_FALSE(Decode("GET", "/2015-03-31/functions/my%20function").ok());
}

// --- AWS overrides (reference section 3) --------------------------------------------------------

TEST(OverrideTest, FunctionNameLongerThan64IsInvalidParameterValue) {
  std::string name(65, 'a');
  Error e = Fails(Decode("POST", "/2015-03-31/functions",
                         std::string(R"({"FunctionName":")") + name + R"(","Role":")" + kGoodRole +
                             R"(","Code":{"ZipFile":"UEsDBA=="}})"));
  EXPECT_EQ(e.code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(e.detail, "");
  EXPECT_EQ(e.message, Validation("Value '" + name +
                                  "' at 'functionName' failed to satisfy constraint: Member must "
                                  "have length less than or equal to 64"));
  // Over the model's 140 it is a plain ValidationException.
  std::string arn = "arn:aws:lambda:us-east-1:123456789012:function:" + std::string(100, 'b');
  Error too_long = Fails(Decode("POST", "/2015-03-31/functions",
                                std::string(R"({"FunctionName":")") + arn + R"(","Role":")" +
                                    kGoodRole + R"(","Code":{"ZipFile":"UEsDBA=="}})"));
  EXPECT_EQ(too_long.code, ErrorCode::kValidation);
  EXPECT_EQ(too_long.message,
            Validation("Value '" + arn +
                       "' at 'functionName' failed to satisfy constraint: Member must have length "
                       "less than or equal to 140"));
  // 64 is fine, also inside an ARN.
  EXPECT_TRUE(Decode("POST", "/2015-03-31/functions",
                     std::string(R"({"FunctionName":"123456789012:function:)") +
                         std::string(64, 'c') + R"(","Role":")" + kGoodRole +
                         R"(","Code":{"ZipFile":"UEsDBA=="}})")
                  .ok());
}

TEST(OverrideTest, RuntimeOutsideTheSetIsInvalidParameterValue) {
  const std::string set =
      "[nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, "
      "java25, python3.10, python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, "
      "java17, nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, "
      "java8.al2]";
  for (const char* runtime : {"non-existent-runtime", "PYTHON3.9"}) {
    Error e = Fails(Decode("PUT", "/2015-03-31/functions/f/configuration",
                           std::string(R"({"Runtime":")") + runtime + "\"}"));
    EXPECT_EQ(e.code, ErrorCode::kInvalidParameter);
    EXPECT_EQ(e.message, "Value " + std::string(runtime) +
                             " at 'runtime' failed to satisfy constraint: Member must satisfy "
                             "enum value set: " +
                             set + " or be a valid ARN");
  }
  Error create = Fails(Decode("POST", "/2015-03-31/functions",
                              CreateBody("").replace(CreateBody("").find("python3.12"), 10, "x")));
  EXPECT_EQ(create.code, ErrorCode::kInvalidParameter);
  // A deprecated runtime is still in the model; the service rejects it with its own message.
  EXPECT_TRUE(
      Decode("PUT", "/2015-03-31/functions/f/configuration", R"({"Runtime":"python2.7"})").ok());
  // Model violations come first, as a ValidationException without the runtime.
  Error both = Fails(
      Decode("PUT", "/2015-03-31/functions/f/configuration", R"({"Runtime":"bogus","Role":"r1"})"));
  EXPECT_EQ(both.code, ErrorCode::kValidation);
  EXPECT_EQ(both.message.find("runtime"), std::string::npos);
}

// --- Patterns -----------------------------------------------------------------------------------

TEST(PatternTest, EveryModelPatternIsCompiled) {
  size_t with_pattern = 0;
  for (const ShapeInfo& shape : Shapes()) {
    if (shape.pattern == nullptr) {
      continue;
    }
    ++with_pattern;
    EXPECT_GT(shape.pattern->num_states, 0) << shape.name;
    EXPECT_FALSE(shape.pattern->source.empty()) << shape.name;
  }
  EXPECT_GT(with_pattern, 50u);
  EXPECT_EQ(Patterns().size(), 59u);
}

bool Matches(std::string_view shape, std::string_view value) {
  const ShapeInfo* s = FindShape(shape);
  EXPECT_NE(s, nullptr) << shape;
  EXPECT_NE(s->pattern, nullptr) << shape;
  return s->pattern->Matches(value);
}

TEST(PatternTest, JavaSemantics) {
  EXPECT_TRUE(Matches("RoleArn", kGoodRole));
  EXPECT_FALSE(Matches("RoleArn", "r1"));
  EXPECT_FALSE(Matches("RoleArn", std::string(kGoodRole) + " "));  // the whole value must match
  EXPECT_TRUE(Matches("NamespacedFunctionName", "my-function"));
  EXPECT_TRUE(Matches("NamespacedFunctionName",
                      "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST"));
  EXPECT_FALSE(Matches("NamespacedFunctionName", "invalid:function:name:x"));
  // Lookahead at the start: an alias name may not be all digits.
  EXPECT_TRUE(Matches("Alias", "v1"));
  EXPECT_FALSE(Matches("Alias", "123"));
  // Lookbehind at the end: no trailing dot.
  const ShapeInfo* dotted = nullptr;
  for (const ShapeInfo& shape : Shapes()) {
    if (shape.pattern != nullptr && shape.pattern->source == "[0-9A-Za-z\\.\\-_]*(?<!\\.)") {
      dotted = &shape;
    }
  }
  ASSERT_NE(dotted, nullptr);
  EXPECT_TRUE(dotted->pattern->Matches("a.b"));
  EXPECT_TRUE(dotted->pattern->Matches(""));
  EXPECT_FALSE(dotted->pattern->Matches("a.b."));
  // A '-' after a range is a literal, as in Java.
  EXPECT_TRUE(Matches("FunctionName", "a-b_c"));
  // Non-ASCII characters are one character each.
  EXPECT_TRUE(Matches("Principal", "\xc3\xa9t\xc3\xa9"));
  EXPECT_FALSE(Matches("FunctionName", "\xc3\xa9"));
}

TEST(PatternTest, LongInputsAreSafe) {
  // A backtracking engine recurses per character; a DFA does not.
  std::string huge(1 << 20, 'a');
  EXPECT_FALSE(Matches("RoleArn", huge));
  EXPECT_TRUE(Matches("Principal", huge));
}

// --- Hot path -----------------------------------------------------------------------------------

TEST(DecodeInputTest, GetFunctionDecodesFast) {
  http::HttpRequest request;
  request.method = "GET";
  request.target = "/2015-03-31/functions/my-function?Qualifier=1";
  std::optional<RouteMatch> match = MatchRoute(request.method, request.target);
  ASSERT_TRUE(match);
  constexpr int kIterations = 100000;
  size_t sink = 0;
  testing::PrintCpuNanosPerCall("DecodeInput(GetFunction)", kIterations, [&] {
    auto r = DecodeInput(*match, request);
    sink += r->size();
  });
  EXPECT_EQ(sink, 2u * kIterations);  // figures are printed, never asserted (sanitizers, load)
}

// --- Layer enum sets (reference part 2 LY13, LY21) ---------------------------------------------

TEST(ValidateInputTest, ListLayersRuntimeFilterUsesTheHistoricSet) {
  Error e = Fails(Decode("GET", "/2018-10-31/layers?CompatibleRuntime=runtimedoesnotexist"));
  EXPECT_EQ(e.code, ErrorCode::kValidation);
  EXPECT_EQ(e.message.rfind(Validation("Value 'runtimedoesnotexist' at 'compatibleRuntime' failed "
                                       "to satisfy constraint: Member must satisfy enum value set: "
                                       "[ruby3.5, ruby2.6, dotnetcore1.0, python3.7, nodejs8.10, "
                                       "nasa, "),
                            0),
            0u)
      << e.message;
  EXPECT_NE(e.message.find(", python3.6, python2.7]"), std::string::npos) << e.message;
  // A historic runtime the model no longer lists is a valid filter.
  EXPECT_TRUE(Decode("GET", "/2018-10-31/layers?CompatibleRuntime=nasa").ok());
}

TEST(ValidateInputTest, PublishLayerVersionRuntimesBeforeArchitectures) {
  Error e =
      Fails(Decode("POST", "/2018-10-31/layers/l/versions",
                   R"({"Content":{"ZipFile":"UEsDBA=="},"CompatibleRuntimes":["invalidruntime"],)"
                   R"("CompatibleArchitectures":["invalidarch"]})"));
  EXPECT_EQ(e.message,
            "2 validation errors detected: Value '[invalidruntime]' at 'compatibleRuntimes' failed "
            "to satisfy constraint: Member must satisfy enum value set: [nodejs20.x, python3.14, "
            "provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, "
            "python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, "
            "nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2]; "
            "Value '[invalidarch]' at 'compatibleArchitectures' failed to satisfy constraint: "
            "Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], "
            "Member must not be null]");
}

}  // namespace
}  // namespace lambdalite::api
