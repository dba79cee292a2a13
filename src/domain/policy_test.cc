#include "domain/policy.h"

#include <gtest/gtest.h>

namespace lambdalite::domain {
namespace {

constexpr char kArn[] = "arn:aws:lambda:us-east-1:111111111111:function:fn";

TEST(ParsePrincipalTest, Forms) {
  EXPECT_EQ(ParsePrincipal("*"), (PolicyPrincipal{PolicyPrincipal::Kind::kAny, ""}));
  EXPECT_EQ(ParsePrincipal("s3.amazonaws.com"),
            (PolicyPrincipal{PolicyPrincipal::Kind::kService, "s3.amazonaws.com"}));
  // RP7: an account id becomes the account's root ARN.
  EXPECT_EQ(ParsePrincipal("111111111111"),
            (PolicyPrincipal{PolicyPrincipal::Kind::kAws, "arn:aws:iam::111111111111:root"}));
  EXPECT_EQ(ParsePrincipal("arn:aws:iam::111111111111:role/r"),
            (PolicyPrincipal{PolicyPrincipal::Kind::kAws, "arn:aws:iam::111111111111:role/r"}));
  // Not 12 digits: a service-style principal.
  EXPECT_EQ(ParsePrincipal("11111111111").kind, PolicyPrincipal::Kind::kService);
}

TEST(RenderStatementTest, Rp1SourceArn) {
  PermissionConditions c;
  c.source_arn = "arn:aws:s3:::bucket";
  PolicyStatement s =
      BuildFunctionStatement("s3", "lambda:InvokeFunction", "s3.amazonaws.com", kArn, c);
  EXPECT_EQ(RenderStatement(s),
            R"({"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},)"
            R"("Action":"lambda:InvokeFunction","Resource":")" +
                std::string(kArn) +
                R"(","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::bucket"}}})");
}

TEST(RenderStatementTest, Rp3NoConditionKey) {
  PolicyStatement s = BuildFunctionStatement("a", "lambda:InvokeFunction", "s3.amazonaws.com", kArn,
                                             PermissionConditions{});
  EXPECT_EQ(RenderStatement(s).find("Condition"), std::string::npos);
}

TEST(RenderStatementTest, Rp9ConditionOrder) {
  PermissionConditions c;
  c.source_arn = "arn:aws:s3:::b";
  c.source_account = "111111111111";
  c.principal_org_id = "o-1234567890";
  c.function_url_auth_type = "NONE";
  PolicyStatement s = BuildFunctionStatement("u", "lambda:InvokeFunctionUrl", "*", kArn, c);
  EXPECT_EQ(RenderStatement(s),
            R"({"Sid":"u","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl",)"
            R"("Resource":")" +
                std::string(kArn) +
                R"(","Condition":{"StringEquals":{"AWS:SourceAccount":"111111111111",)"
                R"("lambda:FunctionUrlAuthType":"NONE","aws:PrincipalOrgID":"o-1234567890"},)"
                R"("ArnLike":{"AWS:SourceArn":"arn:aws:s3:::b"}}})");
}

TEST(RenderStatementTest, EventSourceTokenAndInvokedViaUrl) {
  PermissionConditions c;
  c.event_source_token = "tok";
  c.invoked_via_function_url = true;
  PolicyStatement s = BuildFunctionStatement("x", "lambda:InvokeFunction", "*", kArn, c);
  EXPECT_NE(
      RenderStatement(s).find(R"("Condition":{"StringEquals":{"lambda:EventSourceToken":"tok"},)"
                              R"("Bool":{"lambda:InvokedViaFunctionUrl":"true"}})"),
      std::string::npos)
      << RenderStatement(s);
}

TEST(RenderPolicyDocumentTest, VersionIdAndInsertionOrder) {
  PermissionConditions none;
  std::vector<PolicyStatement> st = {
      BuildFunctionStatement("logs", "lambda:InvokeFunction", "logs.amazonaws.com", kArn, none),
      BuildFunctionStatement("kinesis", "lambda:InvokeFunction", "kinesis.amazonaws.com", kArn,
                             none)};
  std::string doc = RenderPolicyDocument(st);
  EXPECT_EQ(doc.rfind(R"({"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"logs")", 0),
            0u);
  EXPECT_LT(doc.find("\"logs\""), doc.find("\"kinesis\""));
  EXPECT_EQ(doc.substr(doc.size() - 2), "]}");
}

TEST(JsonQuoteTest, Escapes) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\u0001\"");
  EXPECT_EQ(JsonQuote("arn:aws:s3:::b/*"), "\"arn:aws:s3:::b/*\"");
}

TEST(FindStatementTest, BySid) {
  Policy p;
  p.statements.resize(2);
  p.statements[0].sid = "a";
  p.statements[1].sid = "b";
  EXPECT_EQ(FindStatement(p, "b"), 1u);
  EXPECT_FALSE(FindStatement(p, "c"));
}

}  // namespace
}  // namespace lambdalite::domain
