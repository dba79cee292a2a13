#include "domain/names.h"

#include <gtest/gtest.h>

namespace lambdalite::domain {
namespace {

TEST(IsValidRegionTest, PartitionPatterns) {
  for (const char* ok : {"us-east-1", "eu-central-2", "ap-southeast-5", "cn-north-1",
                         "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1",
                         "us-isof-south-1", "eusc-de-east-1", "il-central-1", "mx-central-1"}) {
    EXPECT_TRUE(IsValidRegion(ok)) << ok;
  }
  for (const char* bad :
       {"", "..", ".", "us-east-", "us--1", "us-east-1/..", "zz-east-1", "us-east-1a", "us-east-1 ",
        "US-EAST-1", "us-ea.st-1", "aws-global", "us-east-1\n", "local"}) {
    EXPECT_FALSE(IsValidRegion(bad)) << bad;
  }
}

TEST(ParseFunctionNameTest, AllForms) {
  struct Case {
    std::string input, name;
    std::optional<std::string> qualifier, account, region;
  };
  const Case cases[] = {
      {"my-fn", "my-fn", {}, {}, {}},
      {"my-fn:prod", "my-fn", "prod", {}, {}},
      {"my-fn:$LATEST", "my-fn", "$LATEST", {}, {}},
      {"123456789012:function:my-fn", "my-fn", {}, "123456789012", {}},
      {"123456789012:function:my-fn:7", "my-fn", "7", "123456789012", {}},
      {"arn:aws:lambda:us-east-1:123456789012:function:my-fn",
       "my-fn",
       {},
       "123456789012",
       "us-east-1"},
      {"arn:aws:lambda:eu-west-1:123456789012:function:my-fn:BLUE", "my-fn", "BLUE", "123456789012",
       "eu-west-1"},
      // "function:" may be left out of an ARN: AWS then reads the last part as the name.
      {"arn:aws:lambda:us-east-1:123456789012:function",
       "function",
       {},
       "123456789012",
       "us-east-1"},
  };
  for (const auto& c : cases) {
    auto r = ParseFunctionName(c.input);
    ASSERT_TRUE(r.ok()) << c.input;
    EXPECT_EQ(r->name, c.name) << c.input;
    EXPECT_EQ(r->qualifier, c.qualifier) << c.input;
    EXPECT_EQ(r->account, c.account) << c.input;
    EXPECT_EQ(r->region, c.region) << c.input;
  }
}

TEST(ParseFunctionNameTest, RejectsMalformed) {
  for (const char* bad : {"a:b:c", "arn:aws:s3:us-east-1:123456789012:function:x", "fn:", ":q",
                          "arn:aws:lambda:us-east-1:123456789012:function:x:1:2"}) {
    EXPECT_FALSE(ParseFunctionName(bad).ok()) << bad;
  }
}

TEST(ResolveQualifierTest, MismatchIsRejected) {
  FunctionRef ref{"fn", "1", {}, {}};
  EXPECT_EQ(ResolveQualifier(ref, std::string("1")).value(), "1");
  EXPECT_EQ(ResolveQualifier(ref, std::nullopt).value(), "1");
  auto bad = ResolveQualifier(ref, std::string("$LATEST"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "The derived qualifier from the function name does not match the specified "
            "qualifier.");
  EXPECT_EQ(ResolveQualifier(FunctionRef{"fn", {}, {}, {}}, std::nullopt).value(), std::nullopt);
}

TEST(CheckScopeTest, RegionAndAccount) {
  Scope scope{"123456789012", "us-east-1"};
  EXPECT_TRUE(CheckScope(FunctionRef{"fn", {}, "123456789012", "us-east-1"}, scope).ok());
  auto region = CheckScope(FunctionRef{"fn", {}, "123456789012", "eu-west-1"}, scope);
  ASSERT_FALSE(region.ok());
  EXPECT_EQ(region.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(region.error().message,
            "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')");
  auto account = CheckScope(FunctionRef{"fn", {}, "000000000000", {}}, scope);
  ASSERT_FALSE(account.ok());
  EXPECT_EQ(account.error().code, ErrorCode::kAccessDenied);
}

TEST(ArnTest, Builds) {
  Scope scope{"123456789012", "us-east-1"};
  EXPECT_EQ(FunctionArn(scope, "fn"), "arn:aws:lambda:us-east-1:123456789012:function:fn");
  EXPECT_EQ(QualifiedFunctionArn(scope, "fn", "$LATEST"),
            "arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST");
  EXPECT_TRUE(IsVersionNumber("12"));
  EXPECT_FALSE(IsVersionNumber("$LATEST"));
  EXPECT_FALSE(IsVersionNumber(""));
}

TEST(RuntimeVersionTest, NamesEveryRuntimeFamily) {
  EXPECT_EQ(RuntimeVersionName("python3.12"), "python:3.12.v1");
  EXPECT_EQ(RuntimeVersionName("nodejs22.x"), "nodejs:22.v1");
  EXPECT_EQ(RuntimeVersionName("provided.al2023"), "provided:al2023.v1");
  EXPECT_EQ(RuntimeVersionName("java8.al2"), "java:8.al2.v1");
  EXPECT_EQ(RuntimeVersionName("dotnet8"), "dotnet:8.v1");
  const std::string arn = RuntimeVersionArn(Scope{"123456789012", "eu-west-1"}, "python3.12");
  EXPECT_EQ(arn.rfind("arn:aws:lambda:eu-west-1::runtime:", 0), 0u);
  EXPECT_EQ(arn.size(), std::string("arn:aws:lambda:eu-west-1::runtime:").size() + 64);
}

}  // namespace
}  // namespace lambdalite::domain
