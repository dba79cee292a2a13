// The generated shapes (api/shapes.h): decoding, encoding, enums, wire rendering.
#include "api/shapes.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace lambdalite::api::shapes {
namespace {

namespace json = boost::json;

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }

TEST(ShapesTest, DecodesRequiredOptionalListsMapsAndBase64Blobs) {
  auto r = FromJson<CreateFunctionRequest>(Obj(R"({
      "FunctionName": "f", "Role": "arn:aws:iam::123456789012:role/r", "Timeout": 7,
      "Publish": true, "Code": {"ZipFile": "aGVsbG8="}, "Architectures": ["arm64"],
      "Environment": {"Variables": {"A": "1", "B": "2"}}})"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->FunctionName, "f");
  EXPECT_EQ(r->Role, "arn:aws:iam::123456789012:role/r");
  EXPECT_EQ(r->Timeout, 7);
  EXPECT_EQ(r->Publish, true);
  ASSERT_TRUE(r->Code.ZipFile.has_value());
  EXPECT_EQ(*r->Code.ZipFile, "hello");  // the raw bytes
  EXPECT_FALSE(r->Code.S3Bucket.has_value());
  EXPECT_EQ(r->Architectures, (std::vector<std::string>{"arm64"}));
  ASSERT_TRUE(r->Environment && r->Environment->Variables);
  EXPECT_EQ(*r->Environment->Variables,
            (std::map<std::string, std::string>{{"A", "1"}, {"B", "2"}}));
  EXPECT_FALSE(r->MemorySize.has_value());
  EXPECT_FALSE(r->Description.has_value());
}

TEST(ShapesTest, NullReadsAsAbsent) {
  auto r = FromJson<GetFunctionRequest>(Obj(R"({"FunctionName": "f", "Qualifier": null})"));
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->Qualifier.has_value());
}

TEST(ShapesTest, MissingRequiredMemberAndWrongTypeFail) {
  EXPECT_FALSE(FromJson<GetFunctionRequest>(Obj(R"({"Qualifier": "1"})")).ok());
  auto wrong = FromJson<GetFunctionRequest>(Obj(R"({"FunctionName": 5})"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidContent);
}

TEST(ShapesTest, BodyBlobThatIsNotBase64FailsAsAnUnreadableZip) {
  auto r = FromJson<UpdateFunctionCodeRequest>(Obj(R"({"FunctionName": "f", "ZipFile": "%%%"})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(r.error().message,
            "Could not unzip uploaded file. Please check your file, then try to upload again.");
}

TEST(ShapesTest, PayloadBlobIsTakenRawNotBase64) {
  // The request decoder keeps an HTTP payload's bytes unparsed in a JSON string.
  auto r = FromJson<InvocationRequest>(
      Obj(R"({"FunctionName": "f", "Payload": "{\"a\":1}", "InvocationType": "Event"})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Payload, std::optional<std::string>(R"({"a":1})"));
  EXPECT_EQ(r->InvocationType, std::optional<std::string>("Event"));
  EXPECT_EQ(Parse<InvocationType>(*r->InvocationType), InvocationType::kEvent);
}

TEST(ShapesTest, TimestampsAreEpochMillisecondsFromSecondsOrIso8601) {
  auto secs = FromJson<CreateEventSourceMappingRequest>(
      Obj(R"({"FunctionName": "f", "StartingPositionTimestamp": 1706704496.789})"));
  ASSERT_TRUE(secs.ok());
  EXPECT_EQ(secs->StartingPositionTimestamp, std::optional<int64_t>(1706704496789));
  auto iso = FromJson<CreateEventSourceMappingRequest>(
      Obj(R"({"FunctionName": "f", "StartingPositionTimestamp": "2024-01-31T12:34:56.789Z"})"));
  ASSERT_TRUE(iso.ok());
  EXPECT_EQ(iso->StartingPositionTimestamp, std::optional<int64_t>(1706704496789));
  auto offset = FromJson<CreateEventSourceMappingRequest>(
      Obj(R"({"FunctionName": "f", "StartingPositionTimestamp": "2024-01-31T13:34:56+01:00"})"));
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(offset->StartingPositionTimestamp, std::optional<int64_t>(1706704496000));
  EXPECT_FALSE(FromJson<CreateEventSourceMappingRequest>(
                   Obj(R"({"FunctionName": "f", "StartingPositionTimestamp": "yesterday"})"))
                   .ok());

  FunctionEventInvokeConfig c;
  c.LastModified = 1706704496789;
  EXPECT_EQ(json::serialize(ToJson(c)), R"({"LastModified":1.706704496789E9})");
}

TEST(ShapesTest, EncodingOmitsAbsentOptionals) {
  EXPECT_EQ(json::serialize(ToJson(Concurrency{})), "{}");
  Concurrency c;
  c.ReservedConcurrentExecutions = 3;
  EXPECT_EQ(json::serialize(ToJson(c)), R"({"ReservedConcurrentExecutions":3})");
}

TEST(ShapesTest, EncodingKeepsWireOrderAndNestsListsAndMaps) {
  AliasConfiguration a;
  a.RevisionId = "r";
  a.Name = "live";
  a.AliasArn = "arn";
  a.RoutingConfig.emplace().AdditionalVersionWeights =
      std::map<std::string, double>{{"2", 0.25}, {"1", 0.5}};
  // wire_order.json: AliasArn, Name, FunctionVersion, Description, RoutingConfig, RevisionId.
  EXPECT_EQ(json::serialize(ToJson(a)),
            R"({"AliasArn":"arn","Name":"live","RoutingConfig":{"AdditionalVersionWeights":)"
            R"({"1":5E-1,"2":2.5E-1}},"RevisionId":"r"})");

  ListFunctionsResponse list;
  list.Functions.emplace().emplace_back().FunctionName = "f";
  list.Functions->back().Architectures = std::vector<std::string>{"x86_64"};
  EXPECT_EQ(json::serialize(ToJson(list)),
            R"({"Functions":[{"FunctionName":"f","Architectures":["x86_64"]}]})");
}

TEST(ShapesTest, RoundTripsShapesThatAreBothInputAndOutput) {
  for (std::string_view text : {
           R"({"OnSuccess":{"Destination":"arn:a"},"OnFailure":{}})",
           R"({"OnSuccess":{},"OnFailure":{"Destination":"arn:b"}})",
       }) {
    auto d = FromJson<DestinationConfig>(Obj(text));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(json::serialize(ToJson(*d)), text);
  }
  auto l = FromJson<LoggingConfig>(
      Obj(R"({"LogGroup":"/g","SystemLogLevel":"WARN","LogFormat":"JSON"})"));
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(json::serialize(ToJson(*l)),
            R"({"LogFormat":"JSON","SystemLogLevel":"WARN","LogGroup":"/g"})");
  auto w = FromJson<AliasRoutingConfiguration>(
      Obj(R"({"AdditionalVersionWeights":{"1":5E-1,"3":1E-1}})"));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(json::serialize(ToJson(*w)), R"({"AdditionalVersionWeights":{"1":5E-1,"3":1E-1}})");
}

TEST(ShapesTest, EnumsMapWireTextBothWays) {
  EXPECT_EQ(ToString(Runtime::kPython3_12), "python3.12");
  EXPECT_EQ(ToString(Runtime::kJava8_al2), "java8.al2");
  EXPECT_EQ(Parse<Runtime>("python3.12"), Runtime::kPython3_12);
  EXPECT_EQ(Parse<Runtime>("nodejs4.3-edge"), Runtime::kNodejs4_3_edge);
  EXPECT_EQ(Parse<Runtime>("nasa"), std::nullopt);  // AWS knows it, botocore's model does not
  EXPECT_EQ(Parse<Architecture>("arm64"), Architecture::kArm64);
  EXPECT_EQ(ToString(Architecture::kX86_64), "x86_64");
  for (std::string_view v : WireValues<Runtime>()) {
    auto parsed = Parse<Runtime>(v);
    ASSERT_TRUE(parsed.has_value()) << v;
    EXPECT_EQ(ToString(*parsed), v);
  }
  // A member keeps a value the model lacks exactly as given.
  auto r = FromJson<ListLayersRequest>(Obj(R"({"CompatibleRuntime": "nasa"})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->CompatibleRuntime, std::optional<std::string>("nasa"));
}

struct RecordingSink : WireSink {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> raw;
  std::optional<json::object> body;
  void Status(int s) override { status = s; }
  void Header(std::string_view name, std::string&& value) override {
    headers.emplace_back(name, std::move(value));
  }
  void RawBody(std::string&& bytes) override { raw = std::move(bytes); }
  void Json(json::object&& o) override { body = std::move(o); }
};

TEST(ShapesTest, ToWirePutsHeaderStatusAndPayloadMembersWhereTheModelSays) {
  InvocationResponse resp;
  resp.StatusCode = 200;
  resp.Payload = "{\"ok\":true}";
  resp.ExecutedVersion = "$LATEST";
  resp.FunctionError = "Unhandled";
  RecordingSink sink;
  ToWire(std::move(resp), sink);
  EXPECT_EQ(sink.status, 200);
  EXPECT_EQ(sink.raw, std::optional<std::string>("{\"ok\":true}"));
  EXPECT_FALSE(sink.body.has_value());
  EXPECT_EQ(sink.headers,
            (std::vector<std::pair<std::string, std::string>>{
                {"X-Amz-Executed-Version", "$LATEST"}, {"X-Amz-Function-Error", "Unhandled"}}));

  RecordingSink body_sink;
  ListTagsResponse tags;
  tags.Tags = std::map<std::string, std::string>{{"k", "v"}};
  ToWire(std::move(tags), body_sink);
  ASSERT_TRUE(body_sink.body.has_value());
  EXPECT_EQ(json::serialize(*body_sink.body), R"({"Tags":{"k":"v"}})");
  EXPECT_EQ(body_sink.status, 0);
}

}  // namespace
}  // namespace lambdalite::api::shapes
