#include "domain/layer.h"

#include <gtest/gtest.h>

namespace lambdalite::domain {
namespace {

const Scope kScope{"123456789012", "us-east-1"};

TEST(LayerTest, ArnsRoundTrip) {
  EXPECT_EQ(LayerVersionArn(kScope, "l1", 3), "arn:aws:lambda:us-east-1:123456789012:layer:l1:3");
  auto ref = ParseLayerVersionArn("arn:aws:lambda:eu-west-1:111122223333:layer:my-layer:12");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->scope.region, "eu-west-1");
  EXPECT_EQ(ref->scope.account, "111122223333");
  EXPECT_EQ(ref->name, "my-layer");
  EXPECT_EQ(ref->version, 12);
  EXPECT_FALSE(ParseLayerVersionArn("arn:aws:lambda:eu-west-1:111122223333:layer:my-layer"));
  EXPECT_FALSE(ParseLayerVersionArn("arn:aws:lambda:eu-west-1:111122223333:layer:x:1a"));
}

TEST(LayerTest, LayerNameMayBeAnArn) {
  EXPECT_EQ(ParseLayerName("plain").name, "plain");
  EXPECT_FALSE(ParseLayerName("plain").scope);
  LayerNameRef ref = ParseLayerName("arn:aws:lambda:us-east-1:123456789012:layer:named");
  EXPECT_EQ(ref.name, "named");
  ASSERT_TRUE(ref.scope);
  EXPECT_EQ(*ref.scope, kScope);
}

TEST(LayerTest, StatementsRenderAsAws) {
  PolicyStatement any = BuildLayerStatement("s1", "lambda:GetLayerVersion", "*", "R", std::nullopt);
  EXPECT_EQ(RenderStatement(any),
            R"({"Sid":"s1","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion",)"
            R"("Resource":"R"})");
  PolicyStatement org =
      BuildLayerStatement("e", "lambda:GetLayerVersion", "*", "R", std::string("o-t194hfs8cz"));
  EXPECT_EQ(
      RenderStatement(org),
      R"({"Sid":"e","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion",)"
      R"("Resource":"R","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-t194hfs8cz"}}})");
  PolicyStatement acct =
      BuildLayerStatement("a", "lambda:GetLayerVersion", "210987654321", "R", std::nullopt);
  EXPECT_EQ(acct.principal.value, "arn:aws:iam::210987654321:root");
}

TEST(LayerTest, PolicyGrantsAccountsOrEveryone) {
  Policy p;
  EXPECT_FALSE(LayerPolicyAllows(p, "210987654321", "lambda:GetLayerVersion"));
  p.statements.push_back(
      BuildLayerStatement("a", "lambda:GetLayerVersion", "210987654321", "R", std::nullopt));
  EXPECT_TRUE(LayerPolicyAllows(p, "210987654321", "lambda:GetLayerVersion"));
  EXPECT_FALSE(LayerPolicyAllows(p, "999999999999", "lambda:GetLayerVersion"));
  EXPECT_FALSE(LayerPolicyAllows(p, "210987654321", "lambda:ListLayerVersions"));
  p.statements.push_back(
      BuildLayerStatement("o", "lambda:GetLayerVersion", "*", "R", std::string("o-1")));
  EXPECT_FALSE(LayerPolicyAllows(p, "999999999999", "lambda:GetLayerVersion"));
  p.statements.push_back(
      BuildLayerStatement("s", "lambda:GetLayerVersion", "*", "R", std::nullopt));
  EXPECT_TRUE(LayerPolicyAllows(p, "999999999999", "lambda:GetLayerVersion"));
}

TEST(LayerTest, FiltersNeedDeclaredCompatibility) {
  LayerVersion v;
  EXPECT_TRUE(LayerMatches(v, std::nullopt, std::nullopt));
  EXPECT_FALSE(LayerMatches(v, std::string("python3.12"), std::nullopt));
  v.compatible_runtimes = std::vector<std::string>{"python3.12", "nodejs20.x"};
  v.compatible_architectures = std::vector<std::string>{"arm64"};
  EXPECT_TRUE(LayerMatches(v, std::string("nodejs20.x"), std::string("arm64")));
  EXPECT_FALSE(LayerMatches(v, std::string("nodejs20.x"), std::string("x86_64")));
}

}  // namespace
}  // namespace lambdalite::domain
