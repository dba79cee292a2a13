#include "api/get_function_renderer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>
#include <vector>

#include "api/cpu_time_testing.h"
#include "api/lambda_api.h"
#include "api/mapping.h"
#include "api/operations/control_plane.h"
#include "service/code_url.h"
#include "service/function_service.h"
#include "service/zip_testing.h"
#include "storage/memory/memory_code_store.h"
#include "storage/memory/memory_store.h"

namespace lambdalite::api {
namespace {

namespace json = boost::json;
using domain::Scope;
using lambdalite::testing::MakeZip;
using service::FunctionView;

// GetFunction's body as it was built before the renderer existed: one json::object, serialized.
// The renderer must give exactly these bytes.
std::string Reference(const Scope& scope, const FunctionView& view, const std::string& location) {
  json::object out;
  out["Configuration"] = shapes::ToJson(ToFunctionConfiguration(scope, view, ConfigDetail::kFull));
  out["Code"] = json::object{{"RepositoryType", "S3"}, {"Location", location}};
  if (!view.tags.empty()) {
    json::object tags;
    for (const auto& [k, v] : view.tags) tags[k] = v;
    out["Tags"] = std::move(tags);
  }
  if (view.reserved_concurrency) {
    out["Concurrency"] = json::object{{"ReservedConcurrentExecutions", *view.reserved_concurrency}};
  }
  return json::serialize(out);
}

// A version snapshot with most optional members set, so the rendering covers them.
service::VersionPtr RichVersion() {
  auto v = std::make_shared<domain::FunctionVersion>();
  v->version = "$LATEST";
  v->config.runtime = "python3.12";
  v->config.handler = "index.handler";
  v->config.role = "arn:aws:iam::123456789012:role/r";
  v->config.description = "quote \" backslash \\ newline \n unicode \xc3\xa9";
  v->config.environment = std::map<std::string, std::string>{{"Location", ""}, {"A", "1"}};
  v->config.dead_letter_target_arn = "arn:aws:sqs:us-east-1:123456789012:dlq";
  v->config.kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/k";
  v->config.layers = {"arn:aws:lambda:us-east-1:123456789012:layer:l:1"};
  v->config.vpc = domain::VpcConfig{{"subnet-1", "subnet-2"}, {"sg-1"}, true};
  v->config.file_systems = {{"arn:aws:elasticfilesystem:us-east-1:123456789012:ap/x", "/mnt/x"}};
  v->config.logging.log_format = "JSON";
  v->config.logging.application_log_level = "INFO";
  v->config.logging.system_log_level = "WARN";
  v->config.logging.log_group = "/aws/lambda/fn";
  v->config.snap_start_apply_on = "PublishedVersions";
  v->code = {"c2hhMjU2", 1234, std::string(64, 'a')};
  v->revision_id = "rev-1";
  v->last_modified_ms = 1'700'000'000'123;
  return v;
}

TEST(GetFunctionRendererTest, GivesTheBytesOfTheObjectItReplaces) {
  GetFunctionRenderer renderer;
  const Scope scope{"123456789012", "eu-west-1"};
  FunctionView view;
  view.version = RichVersion();
  view.name = "fn";
  const std::string url = "http://127.0.0.1:9001/_lambdalite/code/x.zip?X-Amz-Expires=1";
  EXPECT_EQ(renderer.Render(scope, view, url), Reference(scope, view, url));

  view.qualifier = "BLUE";
  view.tags = {{"team", "a \"quoted\" tag"}, {"env", "prod"}};
  view.reserved_concurrency = 0;
  EXPECT_EQ(renderer.Render(scope, view, url), Reference(scope, view, url));
  view.phase = service::Phase::kUpdating;
  EXPECT_EQ(renderer.Render(scope, view, url), Reference(scope, view, url));

  // Locations with characters JSON escapes (a Host header can carry anything printable and
  // more), and non-ASCII bytes.
  for (std::string location :
       {std::string("http://h\"ost/x"), std::string("http://h\\ost/x"),
        std::string("http://h\tost/x"), std::string("http://h\x7fost/x"),
        std::string("http://h\xc3\xa9ost/x"), std::string("http://a/b/c"), std::string()}) {
    EXPECT_EQ(renderer.Render(scope, view, location), Reference(scope, view, location)) << location;
  }
}

std::vector<std::string> KeysOf(const json::value& v) {
  std::vector<std::string> keys;
  for (const auto& kv : v.as_object()) keys.emplace_back(kv.key());
  return keys;
}

// The response shapes are generated; tools/shapegen/wire_order.json keeps the key order
// GetFunction answered with before they were. This pins it.
TEST(GetFunctionRendererTest, KeepsTheKeyOrderGetFunctionAlwaysHad) {
  GetFunctionRenderer renderer;
  FunctionView view;
  view.version = RichVersion();
  view.name = "fn";
  view.tags = {{"b", "2"}, {"a", "1"}};
  view.reserved_concurrency = 3;
  const json::value body = json::parse(renderer.Render({"123456789012", "us-east-1"}, view, "L"));
  using Keys = std::vector<std::string>;
  EXPECT_EQ(KeysOf(body), (Keys{"Configuration", "Code", "Tags", "Concurrency"}));
  const json::value& c = body.at("Configuration");
  EXPECT_EQ(KeysOf(c), (Keys{"FunctionName",
                             "FunctionArn",
                             "Runtime",
                             "Handler",
                             "Role",
                             "CodeSize",
                             "Description",
                             "Timeout",
                             "MemorySize",
                             "LastModified",
                             "CodeSha256",
                             "Version",
                             "VpcConfig",
                             "Environment",
                             "DeadLetterConfig",
                             "KMSKeyArn",
                             "TracingConfig",
                             "RevisionId",
                             "Layers",
                             "State",
                             "LastUpdateStatus",
                             "FileSystemConfigs",
                             "PackageType",
                             "Architectures",
                             "EphemeralStorage",
                             "SnapStart",
                             "RuntimeVersionConfig",
                             "LoggingConfig"}));
  EXPECT_EQ(KeysOf(c.at("VpcConfig")),
            (Keys{"SubnetIds", "SecurityGroupIds", "Ipv6AllowedForDualStack", "VpcId"}));
  EXPECT_EQ(KeysOf(c.at("LoggingConfig")),
            (Keys{"LogFormat", "ApplicationLogLevel", "SystemLogLevel", "LogGroup"}));
  EXPECT_EQ(KeysOf(c.at("SnapStart")), (Keys{"ApplyOn", "OptimizationStatus"}));
  EXPECT_EQ(KeysOf(c.at("Layers").as_array().at(0)), (Keys{"Arn", "CodeSize"}));
  EXPECT_EQ(KeysOf(body.at("Code")), (Keys{"RepositoryType", "Location"}));
  EXPECT_EQ(KeysOf(body.at("Tags")), (Keys{"a", "b"}));
}

TEST(GetFunctionRendererTest, ReusesAnEntryOnlyForTheSameView) {
  GetFunctionRenderer renderer;
  const Scope scope{"123456789012", "us-east-1"};
  FunctionView view;
  view.version = RichVersion();
  view.name = "fn";
  const std::string first = renderer.Render(scope, view, "L1");
  EXPECT_EQ(renderer.Render(scope, view, "L2"), Reference(scope, view, "L2"));
  EXPECT_EQ(renderer.size(), 1u);
  EXPECT_NE(first, renderer.Render(scope, view, "L2"));

  // Another scope, name or qualifier is another entry with its own ARNs.
  const Scope other_region{"123456789012", "us-west-2"};
  const Scope other_account{"210987654321", "us-east-1"};
  EXPECT_EQ(renderer.Render(other_region, view, "L"), Reference(other_region, view, "L"));
  EXPECT_EQ(renderer.Render(other_account, view, "L"), Reference(other_account, view, "L"));
  FunctionView renamed = view;
  renamed.name = "fn2";
  EXPECT_EQ(renderer.Render(scope, renamed, "L"), Reference(scope, renamed, "L"));
  FunctionView qualified = view;
  qualified.qualifier = "$LATEST";
  EXPECT_EQ(renderer.Render(scope, qualified, "L"), Reference(scope, qualified, "L"));
  EXPECT_EQ(renderer.size(), 5u);

  // A new snapshot with different content under the same name: rebuilt, not reused.
  auto changed = std::make_shared<domain::FunctionVersion>(*view.version);
  changed->config.memory_size = 2048;
  changed->revision_id = "rev-2";
  view.version = changed;
  EXPECT_EQ(renderer.Render(scope, view, "L"), Reference(scope, view, "L"));
  // Tags and concurrency live outside the snapshot.
  view.tags = {{"k", "v"}};
  EXPECT_EQ(renderer.Render(scope, view, "L"), Reference(scope, view, "L"));
  view.tags = {{"k", "w"}};
  EXPECT_EQ(renderer.Render(scope, view, "L"), Reference(scope, view, "L"));
  view.reserved_concurrency = 7;
  EXPECT_EQ(renderer.Render(scope, view, "L"), Reference(scope, view, "L"));
  view.reserved_concurrency.reset();
  EXPECT_EQ(renderer.Render(scope, view, "L"), Reference(scope, view, "L"));
  EXPECT_EQ(renderer.size(), 5u);
}

TEST(GetFunctionRendererTest, StaysBounded) {
  GetFunctionRenderer renderer;
  const Scope scope{"123456789012", "us-east-1"};
  FunctionView view;
  view.version = RichVersion();
  for (size_t i = 0; i < GetFunctionRenderer::kMaxEntries + 10; ++i) {
    view.name = "fn" + std::to_string(i);
    ASSERT_EQ(renderer.Render(scope, view, "L"), Reference(scope, view, "L"));
    ASSERT_LE(renderer.size(), GetFunctionRenderer::kMaxEntries);
  }
}

// Every kind of change FunctionService makes, seen through GetFunction: after each one the
// rendering is the one of the new view, never a cached one of the old.
class GetFunctionRendererServiceTest : public ::testing::Test {
 protected:
  GetFunctionRendererServiceTest() { EXPECT_TRUE(service_.Load().ok()); }

  void CreateFunction(const std::string& name, const std::string& description) {
    service::CreateFunctionInput in;
    in.name = name;
    in.config.runtime = "python3.12";
    in.config.handler = "index.handler";
    in.config.role = "arn:aws:iam::123456789012:role/r";
    in.config.description = description;
    in.code.zip_file = MakeZip("def handler(e, c): return e");
    ASSERT_TRUE(service_.CreateFunction(scope_, std::move(in)).ok());
  }

  // GetFunction through the renderer; checks it against the reference and returns it.
  std::string Get(const std::string& name, std::optional<std::string> qualifier = std::nullopt) {
    auto view = service_.GetFunction(scope_, name, qualifier);
    EXPECT_TRUE(view.ok()) << name;
    if (!view.ok()) return {};
    const std::string body = renderer_.Render(scope_, *view, "L");
    EXPECT_EQ(body, Reference(scope_, *view, "L")) << name;
    return body;
  }

  static std::string Member(const std::string& body, std::string_view path) {
    json::value v = json::parse(body);
    const json::value* at = &v;
    while (!path.empty()) {
      std::string_view key = path.substr(0, path.find('.'));
      path.remove_prefix(std::min(path.size(), key.size() + 1));
      const json::object* o = at->if_object();
      if (o == nullptr || !o->contains(key)) return "<absent>";
      at = &o->at(key);
    }
    return at->is_string() ? std::string(at->get_string()) : json::serialize(*at);
  }

  Scope scope_{"123456789012", "us-east-1"};
  FakeClock clock_;
  storage::memory::MemoryFunctionStore store_;
  storage::memory::MemoryCodeStore code_;
  service::FunctionService service_{store_, code_, nullptr, clock_};
  GetFunctionRenderer renderer_;
};

TEST_F(GetFunctionRendererServiceTest, EveryUpdateShows) {
  CreateFunction("fn", "one");
  std::string body = Get("fn");
  EXPECT_EQ(Get("fn"), body);
  const std::string rev0 = Member(body, "Configuration.RevisionId");

  // Code.
  clock_.Advance(1000);
  service::UpdateCodeInput code;
  code.code.zip_file = MakeZip("def handler(e, c): return 2");
  ASSERT_TRUE(service_.UpdateFunctionCode(scope_, "fn", std::move(code)).ok());
  body = Get("fn");
  EXPECT_NE(Member(body, "Configuration.RevisionId"), rev0);
  const std::string sha1 = Member(body, "Configuration.CodeSha256");

  // Configuration.
  ASSERT_TRUE(service_
                  .UpdateFunctionConfiguration(scope_, "fn", std::nullopt,
                                               [](domain::FunctionConfig& c) {
                                                 c.memory_size = 512;
                                                 return Status::Ok();
                                               })
                  .ok());
  body = Get("fn");
  EXPECT_EQ(Member(body, "Configuration.MemorySize"), "512");

  // Publishing: the new version, and $LATEST unchanged.
  ASSERT_TRUE(service_.PublishVersion(scope_, "fn", std::nullopt, std::nullopt, std::nullopt).ok());
  EXPECT_EQ(Member(Get("fn", "1"), "Configuration.Version"), "1");
  EXPECT_EQ(Get("fn"), body);

  // Aliases: created, retargeted, weighted, deleted.
  service::AliasInput alias;
  alias.function_version = "1";
  ASSERT_TRUE(service_.CreateAlias(scope_, "fn", "BLUE", alias).ok());
  EXPECT_EQ(Member(Get("fn", "BLUE"), "Configuration.MemorySize"), "512");
  EXPECT_EQ(Member(Get("fn:BLUE"), "Configuration.FunctionArn"),
            "arn:aws:lambda:us-east-1:123456789012:function:fn:BLUE");
  ASSERT_TRUE(service_
                  .UpdateFunctionConfiguration(scope_, "fn", std::nullopt,
                                               [](domain::FunctionConfig& c) {
                                                 c.memory_size = 1024;
                                                 return Status::Ok();
                                               })
                  .ok());
  ASSERT_TRUE(service_.PublishVersion(scope_, "fn", std::nullopt, std::nullopt, std::nullopt).ok());
  alias.function_version = "2";
  ASSERT_TRUE(service_.UpdateAlias(scope_, "fn", "BLUE", alias).ok());
  EXPECT_EQ(Member(Get("fn", "BLUE"), "Configuration.MemorySize"), "1024");
  EXPECT_EQ(Member(Get("fn", "BLUE"), "Configuration.Version"), "2");
  ASSERT_TRUE(service_.DeleteAlias(scope_, "fn", "BLUE").ok());
  EXPECT_FALSE(service_.GetFunction(scope_, "fn", std::string("BLUE")).ok());
  ASSERT_TRUE(service_.CreateAlias(scope_, "fn", "BLUE", alias).ok());
  alias.function_version = "1";
  ASSERT_TRUE(service_.UpdateAlias(scope_, "fn", "BLUE", alias).ok());
  EXPECT_EQ(Member(Get("fn", "BLUE"), "Configuration.Version"), "1");

  // Tags, on every qualifier.
  ASSERT_TRUE(
      service_.TagResource(scope_, domain::FunctionArn(scope_, "fn"), {{"team", "a"}}).ok());
  EXPECT_EQ(Member(Get("fn"), "Tags.team"), "a");
  EXPECT_EQ(Member(Get("fn", "1"), "Tags.team"), "a");
  EXPECT_EQ(Member(Get("fn", "BLUE"), "Tags.team"), "a");
  ASSERT_TRUE(
      service_.TagResource(scope_, domain::FunctionArn(scope_, "fn"), {{"team", "b"}}).ok());
  EXPECT_EQ(Member(Get("fn", "BLUE"), "Tags.team"), "b");
  ASSERT_TRUE(service_.UntagResource(scope_, domain::FunctionArn(scope_, "fn"), {"team"}).ok());
  EXPECT_EQ(Member(Get("fn"), "Tags"), "<absent>");
  EXPECT_EQ(Member(Get("fn", "BLUE"), "Tags"), "<absent>");

  // Concurrency.
  ASSERT_TRUE(service_.PutFunctionConcurrency(scope_, "fn", 5).ok());
  EXPECT_EQ(Member(Get("fn"), "Concurrency.ReservedConcurrentExecutions"), "5");
  EXPECT_EQ(Member(Get("fn", "1"), "Concurrency.ReservedConcurrentExecutions"), "5");
  ASSERT_TRUE(service_.PutFunctionConcurrency(scope_, "fn", 6).ok());
  EXPECT_EQ(Member(Get("fn"), "Concurrency.ReservedConcurrentExecutions"), "6");
  ASSERT_TRUE(service_.DeleteFunctionConcurrency(scope_, "fn").ok());
  EXPECT_EQ(Member(Get("fn"), "Concurrency"), "<absent>");

  // Deleting a version, then the function; a new function under the same name shows its own
  // configuration, not the cached one of its predecessor.
  ASSERT_TRUE(service_.DeleteAlias(scope_, "fn", "BLUE").ok());
  ASSERT_TRUE(service_.DeleteFunction(scope_, "fn", std::string("1")).ok());
  EXPECT_FALSE(service_.GetFunction(scope_, "fn", std::string("1")).ok());
  ASSERT_TRUE(service_.DeleteFunction(scope_, "fn", std::nullopt).ok());
  EXPECT_FALSE(service_.GetFunction(scope_, "fn", std::nullopt).ok());
  CreateFunction("fn", "two");
  body = Get("fn");
  EXPECT_EQ(Member(body, "Configuration.Description"), "two");
  EXPECT_EQ(Member(body, "Configuration.MemorySize"), "128");
  EXPECT_EQ(Member(body, "Tags"), "<absent>");
  EXPECT_EQ(Member(Get("fn", "$LATEST"), "Configuration.Description"), "two");
}

// Readers render while a writer keeps changing the function; every answer must be the reference
// rendering of the view that reader got (run under the sanitizers by scripts/test.sh).
TEST_F(GetFunctionRendererServiceTest, ConcurrentReadersAndWriter) {
  CreateFunction("fn", "start");
  std::atomic<bool> stop{false};
  std::atomic<int> mismatches{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto view = service_.GetFunction(scope_, "fn", std::nullopt);
        if (!view.ok()) continue;
        if (renderer_.Render(scope_, *view, "L") != Reference(scope_, *view, "L")) ++mismatches;
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(service_
                    .UpdateFunctionConfiguration(scope_, "fn", std::nullopt,
                                                 [i](domain::FunctionConfig& c) {
                                                   c.description = "d" + std::to_string(i);
                                                   return Status::Ok();
                                                 })
                    .ok());
    ASSERT_TRUE(
        service_
            .TagResource(scope_, domain::FunctionArn(scope_, "fn"), {{"i", std::to_string(i % 3)}})
            .ok());
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// The whole request through LambdaApi: status, headers in their order, and the body.
TEST_F(GetFunctionRendererServiceTest, AnswerThroughTheApi) {
  CreateFunction("fn", "api");
  ASSERT_TRUE(service_.TagResource(scope_, domain::FunctionArn(scope_, "fn"), {{"t", "1"}}).ok());
  LambdaApi api(ApiOptions{});
  service::CodeUrlSigner signer(std::string(32, 'k'), clock_);
  RegisterControlPlane(api, service_, signer);
  http::HttpRequest request;
  request.method = "GET";
  request.target = "/2015-03-31/functions/fn";
  request.headers.push_back({"Host", "localhost:9001"});
  for (int i = 0; i < 2; ++i) {  // the second answer comes from the cache
    http::HttpResponse response = api.Handle(request);
    EXPECT_EQ(response.status, 200);
    ASSERT_EQ(response.headers.size(), 2u);
    EXPECT_EQ(response.headers[0].name, "Content-Type");
    EXPECT_EQ(response.headers[0].value, "application/json");
    EXPECT_EQ(response.headers[1].name, "x-amzn-RequestId");
    EXPECT_EQ(response.headers[1].value.size(), 36u);
    auto view = service_.GetFunction(scope_, "fn", std::nullopt);
    ASSERT_TRUE(view.ok());
    const std::string location =
        "http://localhost:9001" + signer.SignPath(std::string(view->version->code.blob_id));
    EXPECT_EQ(response.body, Reference(scope_, *view, location));
  }
}

// Prints the cost of a whole GetFunction call through LambdaApi::Handle, and of its body before
// the renderer (one json::object, serialized); see cpu_time_testing.h.
TEST_F(GetFunctionRendererServiceTest, GetFunctionCost) {
  CreateFunction("fn", "cost");
  ASSERT_TRUE(service_.TagResource(scope_, domain::FunctionArn(scope_, "fn"), {{"t", "1"}}).ok());
  LambdaApi api(ApiOptions{});
  service::CodeUrlSigner signer(std::string(32, 'k'), clock_);
  RegisterControlPlane(api, service_, signer);
  http::HttpRequest request;
  request.method = "GET";
  request.target = "/2015-03-31/functions/fn";
  request.headers.push_back({"Host", "localhost:9001"});
  constexpr int kIterations = 20000;
  size_t sink = 0;
  testing::PrintCpuNanosPerCall("LambdaApi::Handle(GetFunction)", kIterations,
                                [&] { sink += api.Handle(request).body.size(); });
  auto view = service_.GetFunction(scope_, "fn", std::nullopt);
  ASSERT_TRUE(view.ok());
  testing::PrintCpuNanosPerCall("GetFunction body without the renderer", kIterations,
                                [&] { sink += Reference(scope_, *view, "L").size(); });
  EXPECT_GT(sink, 0u);
}

}  // namespace
}  // namespace lambdalite::api
