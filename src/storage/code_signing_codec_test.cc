#include "storage/code_signing_codec.h"

#include <gtest/gtest.h>

namespace lambdalite::storage {
namespace {

TEST(CodeSigningCodecTest, ConfigRoundTrips) {
  domain::CodeSigningConfig c;
  c.id = "csc-0123456789abcdefg";
  c.description = std::string("d\0x", 3);
  c.signing_profile_version_arns = {"arn:aws:signer:us-east-1:111111111111:/signing-profiles/p"};
  c.untrusted_artifact_on_deployment = "Enforce";
  c.last_modified_ms = 1764037812345;
  c.tags = {{"k", "v"}};
  auto back = DecodeCodeSigningConfig(EncodeCodeSigningConfig(c));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, c);
}

TEST(CodeSigningCodecTest, MissingKeysDecodeAsDefaults) {
  auto c = DecodeCodeSigningConfig(R"({"id":"csc-x","extra":1})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->id, "csc-x");
  EXPECT_EQ(c->untrusted_artifact_on_deployment, "Warn");
  EXPECT_TRUE(c->tags.empty());
}

TEST(CodeSigningCodecTest, CorruptBodiesAreInternal) {
  auto bad = DecodeCodeSigningConfig(R"({"id":5})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInternal);
  EXPECT_NE(bad.error().message.find("'id'"), std::string::npos);
  EXPECT_FALSE(DecodeRuntimeManagement("[").ok());
}

TEST(CodeSigningCodecTest, RuntimeManagementRoundTrips) {
  domain::RuntimeManagementConfig manual{"Manual", "arn:aws:lambda:us-east-1::runtime:abc"};
  auto back = DecodeRuntimeManagement(EncodeRuntimeManagement(manual));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, manual);
  domain::RuntimeManagementConfig autom{"Auto", std::nullopt};
  auto back2 = DecodeRuntimeManagement(EncodeRuntimeManagement(autom));
  ASSERT_TRUE(back2.ok());
  EXPECT_EQ(*back2, autom);
}

}  // namespace
}  // namespace lambdalite::storage
