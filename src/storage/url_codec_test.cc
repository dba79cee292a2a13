#include "storage/url_codec.h"

#include <gtest/gtest.h>

namespace lambdalite::storage {
namespace {

TEST(UrlCodecTest, RoundTripsEveryMember) {
  domain::FunctionUrlConfig c;
  c.qualifier = "live";
  c.url_id = "0123456789abcdefghijklmnopqrstuv";
  c.auth_type = "AWS_IAM";
  c.invoke_mode = "RESPONSE_STREAM";
  domain::UrlCors cors;
  cors.allow_credentials = true;
  cors.allow_origins = std::vector<std::string>{"https://a.example"};
  cors.allow_methods = std::vector<std::string>{"GET", "POST"};
  cors.max_age = 300;
  c.cors = cors;
  c.creation_ms = 1700000000123;
  c.last_modified_ms = 1700000000456;
  auto decoded = DecodeUrlConfig(EncodeUrlConfig(c));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, c);
}

TEST(UrlCodecTest, AbsentOptionalsStayAbsent) {
  domain::FunctionUrlConfig c;
  c.url_id = "abcdefghijklmnopqrstuvwxyz012345";
  c.auth_type = "NONE";
  auto decoded = DecodeUrlConfig(EncodeUrlConfig(c));
  ASSERT_TRUE(decoded.ok());
  EXPECT_FALSE(decoded->invoke_mode.has_value());
  EXPECT_FALSE(decoded->cors.has_value());
  EXPECT_EQ(UrlRecordKey("fn", ""), "fn");
  EXPECT_EQ(UrlRecordKey("fn", "live"), "fn:live");
}

TEST(UrlCodecTest, CorruptBodiesAreInternalErrors) {
  EXPECT_EQ(DecodeUrlConfig("not json").error().code, ErrorCode::kInternal);
  EXPECT_EQ(DecodeUrlConfig(R"({"url_id":"short"})").error().code, ErrorCode::kInternal);
  EXPECT_EQ(
      DecodeUrlConfig(R"({"url_id":"abcdefghijklmnopqrstuvwxyz012345","cors":3})").error().code,
      ErrorCode::kInternal);
}

}  // namespace
}  // namespace lambdalite::storage
