#include "storage/provisioned_codec.h"

#include <gtest/gtest.h>

namespace lambdalite::storage {
namespace {

TEST(ProvisionedCodecTest, RoundTripsTheConfigurationOnly) {
  domain::ProvisionedConcurrencyConfig config;
  config.qualifier = "live";
  config.requested = 3;
  config.last_modified_ms = 1700000000123;
  config.allocated = 3;
  config.status = domain::kProvisionedReady;
  auto decoded = DecodeProvisioned(EncodeProvisioned(config));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->qualifier, "live");
  EXPECT_EQ(decoded->requested, 3);
  EXPECT_EQ(decoded->last_modified_ms, 1700000000123);
  // Progress is not stored: a restored config starts again.
  EXPECT_EQ(decoded->allocated, 0);
  EXPECT_EQ(decoded->status, domain::kProvisionedInProgress);
}

TEST(ProvisionedCodecTest, CorruptBodiesAreInternalErrors) {
  EXPECT_EQ(DecodeProvisioned("not json").error().code, ErrorCode::kInternal);
  EXPECT_EQ(DecodeProvisioned(R"({"qualifier":1})").error().code, ErrorCode::kInternal);
  EXPECT_EQ(DecodeProvisioned(R"({"requested":2})").error().code, ErrorCode::kInternal);
}

TEST(ProvisionedCodecTest, KeyIsFunctionAndQualifier) {
  EXPECT_EQ(ProvisionedRecordKey("fn", "1"), "fn:1");
}

}  // namespace
}  // namespace lambdalite::storage
