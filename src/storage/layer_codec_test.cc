#include "storage/layer_codec.h"

#include <gtest/gtest.h>

namespace lambdalite::storage {
namespace {

TEST(LayerCodecTest, RoundTripsEveryMember) {
  domain::LayerVersion v;
  v.name = "my-layer";
  v.version = 7;
  v.description = "d\"escr";
  v.license_info = "MIT";
  v.compatible_runtimes = std::vector<std::string>{"python3.12"};
  v.compatible_architectures = std::vector<std::string>{"x86_64", "arm64"};
  v.created_ms = 1700000000123;
  v.code = {"abc=", 42, "00ff"};
  v.policy.revision_id = "rev";
  v.policy.statements.push_back(
      domain::BuildLayerStatement("s1", "lambda:GetLayerVersion", "*", "arn", std::string("o-1")));
  auto back = DecodeLayerVersion(EncodeLayerVersion(v));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, v);
}

TEST(LayerCodecTest, AbsentListsStayAbsent) {
  domain::LayerVersion v;
  v.name = "l";
  v.version = 1;
  auto back = DecodeLayerVersion(EncodeLayerVersion(v));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->compatible_runtimes);
  EXPECT_FALSE(back->license_info);
  EXPECT_EQ(*back, v);
}

TEST(LayerCodecTest, CounterAndCorruption) {
  auto n = DecodeLayerCounter(EncodeLayerCounter(12));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 12);
  EXPECT_EQ(DecodeLayerVersion("{\"name\":\"x\",\"version\":\"1\"}").error().code,
            ErrorCode::kInternal);
  EXPECT_FALSE(DecodeLayerCounter("[]").ok());
  EXPECT_EQ(LayerVersionRecordKey("a", 3), "a:3");
}

}  // namespace
}  // namespace lambdalite::storage
