#include "storage/policy_codec.h"

#include <gtest/gtest.h>

namespace lambdalite::storage {
namespace {

TEST(PolicyCodecTest, RoundTrip) {
  domain::PermissionConditions c;
  c.source_arn = "arn:aws:s3:::b";
  c.source_account = "111111111111";
  c.invoked_via_function_url = false;
  domain::Policy p;
  p.revision_id = "rev";
  p.statements.push_back(domain::BuildFunctionStatement(
      "a", "lambda:InvokeFunction", "s3.amazonaws.com", "arn:aws:lambda:r:1:function:f", c));
  p.statements.push_back(domain::BuildFunctionStatement("b\"\x01", "lambda:*", "*",
                                                        "arn:aws:lambda:r:1:function:f:1", {}));
  p.statements.push_back(domain::BuildFunctionStatement("c", "*", "111111111111",
                                                        "arn:aws:lambda:r:1:function:f:alias", {}));
  auto decoded = DecodePolicy(EncodePolicy(p));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, p);
}

TEST(PolicyCodecTest, CorruptIsInternal) {
  EXPECT_EQ(DecodePolicy("{").error().code, ErrorCode::kInternal);
  EXPECT_EQ(DecodePolicy(R"({"statements":[{"sid":1}]})").error().code, ErrorCode::kInternal);
  EXPECT_EQ(DecodePolicy(R"({"statements":[{"principal_kind":"x"}]})").error().code,
            ErrorCode::kInternal);
  auto empty = DecodePolicy(R"({"unknown":1})");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->statements.empty());
}

TEST(PolicyCodecTest, Keys) {
  EXPECT_EQ(PolicyRecordKey("fn", ""), "fn");
  EXPECT_EQ(PolicyRecordKey("fn", "prod"), "fn:prod");
  EXPECT_EQ(PolicyRecordQualifier("fn:prod", "fn"), "prod");
  EXPECT_EQ(PolicyRecordQualifier("fn", "fn"), "");
}

}  // namespace
}  // namespace lambdalite::storage
