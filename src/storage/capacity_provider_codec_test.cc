#include "storage/capacity_provider_codec.h"

#include <gtest/gtest.h>

namespace lambdalite::storage {
namespace {

TEST(CapacityProviderCodecTest, RoundTripsEveryMember) {
  domain::CapacityProvider p;
  p.name = "cp";
  p.subnet_ids = {"subnet-1", "subnet-2"};
  p.security_group_ids = {"sg-1"};
  p.operator_role_arn = "arn:aws:iam::123456789012:role/op";
  p.instance_requirements = domain::InstanceRequirements{
      std::vector<std::string>{"arm64"}, std::nullopt, std::vector<std::string>{"m5.large"}};
  p.scaling_config = domain::CapacityProviderScalingConfig{
      64, std::string("Manual"),
      std::vector<domain::CapacityProviderScalingPolicy>{
          {"LambdaCapacityProviderAverageCPUUtilization", 55.5}}};
  p.kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/k";
  p.tags = {{"a", "b"}};
  p.last_modified_ms = 1234;
  auto decoded = DecodeCapacityProvider(EncodeCapacityProvider(p));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, p);
  domain::CapacityProvider minimal;
  minimal.name = "m";
  auto back = DecodeCapacityProvider(EncodeCapacityProvider(minimal));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, minimal);
}

TEST(CapacityProviderCodecTest, CorruptionIsInternal) {
  for (const char* bad : {"", "[]", R"({"subnet_ids":"x"})", R"({"tags":{"a":1}})"}) {
    auto decoded = DecodeCapacityProvider(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInternal);
  }
}

TEST(FunctionScalingCodecTest, RoundTripsEitherBound) {
  for (const domain::FunctionScalingConfig& c :
       {domain::FunctionScalingConfig{}, domain::FunctionScalingConfig{0, 15000},
        domain::FunctionScalingConfig{3, std::nullopt},
        domain::FunctionScalingConfig{std::nullopt, 7}}) {
    auto decoded = DecodeFunctionScalingConfig(EncodeFunctionScalingConfig(c));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(*decoded, c);
  }
  EXPECT_EQ(EncodeFunctionScalingConfig({}), "{}");
  EXPECT_EQ(FunctionScalingRecordKey("fn", "3"), "fn:3");
}

TEST(FunctionScalingCodecTest, CorruptionIsInternal) {
  for (const char* bad :
       {"", "[]", R"({"min_execution_environments":"1"})", R"({"max_execution_environments":-1})",
        R"({"max_execution_environments":15001})"}) {
    auto decoded = DecodeFunctionScalingConfig(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInternal);
  }
}

}  // namespace
}  // namespace lambdalite::storage
