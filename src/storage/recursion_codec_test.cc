#include "storage/recursion_codec.h"

#include <gtest/gtest.h>

namespace lambdalite::storage {
namespace {

TEST(RecursionCodecTest, RoundTrips) {
  for (auto loop : {domain::RecursiveLoop::kAllow, domain::RecursiveLoop::kTerminate}) {
    auto decoded = DecodeRecursionConfig(EncodeRecursionConfig(loop));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, loop);
  }
  EXPECT_EQ(EncodeRecursionConfig(domain::RecursiveLoop::kAllow), R"({"recursive_loop":"Allow"})");
}

TEST(RecursionCodecTest, MissingKeyIsTheDefaultAndCorruptionIsInternal) {
  auto missing = DecodeRecursionConfig("{}");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(*missing, domain::RecursiveLoop::kTerminate);
  for (const char* bad : {"", "[]", R"({"recursive_loop":1})", R"({"recursive_loop":"Maybe"})"}) {
    auto decoded = DecodeRecursionConfig(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInternal);
  }
}

}  // namespace
}  // namespace lambdalite::storage
