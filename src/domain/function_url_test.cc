#include "domain/function_url.h"

#include <gtest/gtest.h>

#include <set>

namespace lambdalite::domain {
namespace {

TEST(FunctionUrlTest, IdsAre32LowerAlphanumerics) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = NewUrlId();
    EXPECT_TRUE(IsUrlId(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_FALSE(IsUrlId("0123456789abcdefghijklmnopqrstuV"));
  EXPECT_FALSE(IsUrlId("0123456789abcdefghijklmnopqrstu"));
}

PolicyStatement Statement(std::string action, PolicyPrincipal principal,
                          std::vector<ConditionBlock> condition = {}) {
  PolicyStatement s;
  s.sid = action;
  s.action = std::move(action);
  s.principal = std::move(principal);
  s.condition = std::move(condition);
  return s;
}

const PolicyPrincipal kAny{PolicyPrincipal::Kind::kAny, ""};

ConditionBlock AuthType(std::string type) {
  return {"StringEquals", {{"lambda:FunctionUrlAuthType", std::move(type)}}};
}

struct Case {
  const char* name;
  std::vector<PolicyStatement> policy;
  std::string auth_type;
  UrlCaller caller;
  bool allowed;
};

TEST(FunctionUrlTest, AuthorizationFollowsAwsRules) {
  const UrlCaller anonymous{};
  const UrlCaller own{true, "123456789012"};
  const UrlCaller other{true, "111111111111"};
  const PolicyPrincipal other_account{PolicyPrincipal::Kind::kAws,
                                      "arn:aws:iam::111111111111:root"};
  const std::vector<Case> cases = {
      {"none without policy", {}, "NONE", anonymous, false},
      {"none with the url permission only",
       {Statement("lambda:InvokeFunctionUrl", kAny, {AuthType("NONE")})},
       "NONE",
       anonymous,
       false},
      {"none with both permissions",
       {Statement("lambda:InvokeFunctionUrl", kAny, {AuthType("NONE")}),
        Statement("lambda:InvokeFunction", kAny)},
       "NONE",
       anonymous,
       true},
      {"none with InvokedViaFunctionUrl",
       {Statement("lambda:InvokeFunctionUrl", kAny, {AuthType("NONE")}),
        Statement("lambda:InvokeFunction", kAny,
                  {{"Bool", {{"lambda:InvokedViaFunctionUrl", "true"}}}})},
       "NONE",
       anonymous,
       true},
      {"url permission without the auth type condition",
       {Statement("lambda:InvokeFunctionUrl", kAny), Statement("lambda:InvokeFunction", kAny)},
       "NONE",
       anonymous,
       false},
      {"url permission for the other auth type",
       {Statement("lambda:InvokeFunctionUrl", kAny, {AuthType("AWS_IAM")}),
        Statement("lambda:InvokeFunction", kAny)},
       "NONE",
       anonymous,
       false},
      {"iam unsigned", {}, "AWS_IAM", anonymous, false},
      {"iam own account", {}, "AWS_IAM", own, true},
      {"iam other account without policy", {}, "AWS_IAM", other, false},
      {"iam other account granted",
       {Statement("lambda:InvokeFunctionUrl", other_account, {AuthType("AWS_IAM")}),
        Statement("lambda:InvokeFunction", other_account)},
       "AWS_IAM",
       other,
       true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(UrlInvokeAllowed(c.policy, c.auth_type, "123456789012", c.caller), c.allowed)
        << c.name;
  }
}

}  // namespace
}  // namespace lambdalite::domain
