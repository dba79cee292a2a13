#include "api/router.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "api/cpu_time_testing.h"
#include "api/model.h"

namespace lambdalite::api {
namespace {

// A sample value for each URI label, percent-encoded as an SDK would send it, and the value the
// router must decode it to.
struct Sample {
  std::string encoded;
  std::string decoded;
};

Sample SampleFor(std::string_view label) {
  if (label == "FunctionName") {
    return {"arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn%3A%24LATEST",
            "arn:aws:lambda:us-east-1:123456789012:function:my-fn:$LATEST"};
  }
  if (label == "Resource" || label == "CodeSigningConfigArn" || label == "DurableExecutionArn") {
    // ARNs with '/' must keep the slash inside the label.
    return {"arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Ax%2Fy",
            "arn:aws:lambda:us-east-1:123456789012:x/y"};
  }
  if (label == "VersionNumber") {
    return {"7", "7"};
  }
  return {"sample-" + std::string(label), "sample-" + std::string(label)};
}

// Substitutes every {Label} of `uri` with its sample.
std::string Instantiate(std::string_view uri) {
  std::string out;
  while (!uri.empty()) {
    size_t open = uri.find('{');
    if (open == std::string_view::npos) {
      out += uri;
      break;
    }
    size_t close = uri.find('}', open);
    out += uri.substr(0, open);
    std::string_view label = uri.substr(open + 1, close - open - 1);
    if (!label.empty() && label.back() == '+') {
      label.remove_suffix(1);
    }
    out += SampleFor(label).encoded;
    uri.remove_prefix(close + 1);
  }
  return out;
}

TEST(RouterTest, ModelHasAllOperations) {
  EXPECT_EQ(Operations().size(), 85u);
  std::set<std::string_view> names;
  for (const OperationInfo& op : Operations()) {
    names.insert(op.name);
    EXPECT_EQ(FindOperation(op.name), &op);
  }
  EXPECT_EQ(names.size(), 85u);
  EXPECT_EQ(FindOperation("NoSuchOperation"), nullptr);
  const OperationInfo* get = FindOperation("GetFunction");
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(get->method, "GET");
  EXPECT_EQ(get->request_uri, "/2015-03-31/functions/{FunctionName}");
  EXPECT_EQ(get->response_code, 200);
  ASSERT_NE(get->input, nullptr);
  EXPECT_EQ(get->input->name, "GetFunctionRequest");
  EXPECT_EQ(FindOperation("CreateFunction")->response_code, 201);
  EXPECT_EQ(FindOperation("DeleteFunctionEventInvokeConfig")->response_code, 204);
}

TEST(RouterTest, EveryOperationRoutesBackToItself) {
  for (const OperationInfo& op : Operations()) {
    std::string target = Instantiate(op.request_uri);
    std::optional<RouteMatch> match = MatchRoute(op.method, target);
    ASSERT_TRUE(match.has_value()) << op.name << " " << target;
    EXPECT_EQ(match->op, &op) << op.name << " " << target << " matched " << match->op->name;
    // Every label decodes to its sample value.
    std::string_view uri = op.request_uri;
    size_t labels = 0;
    for (size_t open = uri.find('{'); open != std::string_view::npos;
         open = uri.find('{', open + 1)) {
      std::string_view label = uri.substr(open + 1, uri.find('}', open) - open - 1);
      const std::string* value = match->Label(label);
      ASSERT_NE(value, nullptr) << op.name << " " << label;
      EXPECT_EQ(*value, SampleFor(label).decoded) << op.name << " " << label;
      ++labels;
    }
    EXPECT_EQ(match->labels.size(), labels) << op.name;
  }
}

TEST(RouterTest, FixedQueryRouteWinsOverPlainRoute) {
  auto list = MatchRoute("GET", "/2019-09-30/functions/f/provisioned-concurrency?List=ALL");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->op->name, "ListProvisionedConcurrencyConfigs");
  auto list_more = MatchRoute(
      "GET", "/2019-09-30/functions/f/provisioned-concurrency?Marker=m&List=ALL&MaxItems=2");
  ASSERT_TRUE(list_more);
  EXPECT_EQ(list_more->op->name, "ListProvisionedConcurrencyConfigs");
  auto get = MatchRoute("GET", "/2019-09-30/functions/f/provisioned-concurrency?Qualifier=1");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->op->name, "GetProvisionedConcurrencyConfig");
  auto other_value = MatchRoute("GET", "/2019-09-30/functions/f/provisioned-concurrency?List=SOME");
  ASSERT_TRUE(other_value);
  EXPECT_EQ(other_value->op->name, "GetProvisionedConcurrencyConfig");

  auto by_arn = MatchRoute("GET", "/2018-10-31/layers?find=LayerVersion&Arn=arn%3Ax");
  ASSERT_TRUE(by_arn);
  EXPECT_EQ(by_arn->op->name, "GetLayerVersionByArn");
  auto layers = MatchRoute("GET", "/2018-10-31/layers");
  ASSERT_TRUE(layers);
  EXPECT_EQ(layers->op->name, "ListLayers");
}

TEST(RouterTest, TrailingSlashIsTolerated) {
  auto legacy = MatchRoute("POST", "/2014-11-13/functions/my-fn/invoke-async/");
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->op->name, "InvokeAsync");
  EXPECT_EQ(*legacy->Label("FunctionName"), "my-fn");
  auto get = MatchRoute("GET", "/2015-03-31/functions/my-fn/");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->op->name, "GetFunction");
  auto list = MatchRoute("GET", "/2015-03-31/functions/");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->op->name, "ListFunctions");
}

TEST(RouterTest, LabelsArePercentDecodedAfterSplitting) {
  auto raw_colons = MatchRoute("GET", "/2015-03-31/functions/123456789012:function:f:$LATEST");
  ASSERT_TRUE(raw_colons);
  EXPECT_EQ(*raw_colons->Label("FunctionName"), "123456789012:function:f:$LATEST");
  auto encoded = MatchRoute("GET", "/2015-03-31/functions/f%3A%24LATEST/configuration");
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->op->name, "GetFunctionConfiguration");
  EXPECT_EQ(*encoded->Label("FunctionName"), "f:$LATEST");
  // '+' is literal in a path; a bad escape is kept.
  auto plus = MatchRoute("GET", "/2015-03-31/functions/a+b%zz");
  ASSERT_TRUE(plus);
  EXPECT_EQ(*plus->Label("FunctionName"), "a+b%zz");
  auto slash = MatchRoute("GET", "/2017-03-31/tags/arn%3Aaws%3Ax%2Fy");
  ASSERT_TRUE(slash);
  EXPECT_EQ(slash->op->name, "ListTags");
  EXPECT_EQ(*slash->Label("Resource"), "arn:aws:x/y");
  auto alias = MatchRoute("DELETE", "/2015-03-31/functions/f/aliases/live");
  ASSERT_TRUE(alias);
  EXPECT_EQ(alias->op->name, "DeleteAlias");
  ASSERT_EQ(alias->labels.size(), 2u);
  EXPECT_EQ(alias->labels[0].name, "FunctionName");
  EXPECT_EQ(alias->labels[1].name, "Name");
  EXPECT_EQ(alias->labels[1].value, "live");
  EXPECT_EQ(alias->Label("Nope"), nullptr);
}

TEST(RouterTest, QueryParametersAreDecodedAndMayRepeat) {
  auto m = MatchRoute("GET", "/2015-03-31/functions/f?Qualifier=%241&Marker=a+b%2Bc&Empty&=x&&");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->op->name, "GetFunction");
  ASSERT_EQ(m->query.count("Qualifier"), 1u);
  EXPECT_EQ(m->query.find("Qualifier")->second, "$1");
  EXPECT_EQ(m->query.find("Marker")->second, "a b+c");
  EXPECT_EQ(m->query.find("Empty")->second, "");
  auto untag = MatchRoute("DELETE", "/2017-03-31/tags/arn%3Ax?tagKeys=a&tagKeys=b");
  ASSERT_TRUE(untag);
  EXPECT_EQ(untag->op->name, "UntagResource");
  auto [first, last] = untag->query.equal_range(std::string_view("tagKeys"));
  std::vector<std::string> keys;
  for (auto it = first; it != last; ++it) {
    keys.push_back(it->second);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b"}));
}

TEST(RouterTest, MethodsAndPathsThatMatchNothing) {
  EXPECT_FALSE(MatchRoute("GET", "/"));
  EXPECT_FALSE(MatchRoute("GET", ""));
  EXPECT_FALSE(MatchRoute("GET", "2015-03-31/functions/f"));
  EXPECT_FALSE(MatchRoute("GET", "/2015-03-31/nothing"));
  EXPECT_FALSE(MatchRoute("GET", "/2015-03-31/functions/f/nothing"));
  EXPECT_FALSE(MatchRoute("PATCH", "/2015-03-31/functions/f"));
  EXPECT_FALSE(MatchRoute("BREW", "/2015-03-31/functions/f"));
  EXPECT_FALSE(MatchRoute("get", "/2015-03-31/functions/f"));
  // An empty label does not match.
  EXPECT_FALSE(MatchRoute("GET", "/2015-03-31/functions//configuration"));
  // Same path, other methods.
  EXPECT_EQ(MatchRoute("DELETE", "/2015-03-31/functions/f")->op->name, "DeleteFunction");
  EXPECT_EQ(MatchRoute("POST", "/2015-03-31/functions")->op->name, "CreateFunction");
  EXPECT_EQ(MatchRoute("PUT", "/2019-09-25/functions/f/event-invoke-config")->op->name,
            "PutFunctionEventInvokeConfig");
  EXPECT_EQ(MatchRoute("POST", "/2019-09-25/functions/f/event-invoke-config")->op->name,
            "UpdateFunctionEventInvokeConfig");
  EXPECT_EQ(MatchRoute("GET", "/2019-09-25/functions/f/event-invoke-config/list")->op->name,
            "ListFunctionEventInvokeConfigs");
}

TEST(RouterTest, PercentDecode) {
  EXPECT_EQ(PercentDecode("a%20b%2f%2F", false), "a b//");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%4", false), "%4");
  EXPECT_EQ(PercentDecode("%e2%86%92", false), "\xe2\x86\x92");
}

// Prints the cost of routing GetFunction (a hot path); see cpu_time_testing.h.
TEST(RouterTest, GetFunctionRoutesFast) {
  constexpr int kIterations = 200000;
  size_t sink = 0;
  testing::PrintCpuNanosPerCall("MatchRoute(GetFunction)", kIterations, [&] {
    auto m = MatchRoute("GET", "/2015-03-31/functions/my-function?Qualifier=1");
    sink += m->labels.size();
  });
  EXPECT_EQ(sink, static_cast<size_t>(kIterations));
}

}  // namespace
}  // namespace lambdalite::api
