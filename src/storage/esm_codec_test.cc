#include "storage/esm_codec.h"

#include <gtest/gtest.h>

namespace lambdalite::storage {
namespace {

TEST(EsmCodecTest, RoundTripsEveryMember) {
  StoredEsm esm;
  domain::EventSourceMapping& m = esm.mapping;
  m.uuid = "a1b2c3d4-0000-4000-8000-000000000001";
  m.kind = domain::EventSourceKind::kKinesis;
  m.event_source_arn = "arn:aws:kinesis:us-east-1:111111111111:stream/s";
  m.function_name = "fn";
  m.qualifier = "live";
  m.function_arn = "arn:aws:lambda:us-east-1:111111111111:function:fn:live";
  m.enabled = false;
  m.state = domain::MappingState::kDisabling;
  m.state_transition_reason = "User action";
  m.last_modified_ms = 1700000000123;
  m.revision = 7;
  m.batch_size = 42;
  m.maximum_batching_window_seconds = 3;
  m.filter_patterns = {R"({"data":{"a":[1]}})"};
  m.filter_criteria_set = true;
  m.function_response_types = {"ReportBatchItemFailures"};
  m.maximum_concurrency = 5;
  m.starting_position = "AT_TIMESTAMP";
  m.starting_position_timestamp_ms = 1600000000000;
  m.on_failure_destination = "arn:aws:sqs:us-east-1:111111111111:dlq";
  m.maximum_record_age_seconds = 60;
  m.maximum_retry_attempts = 2;
  m.bisect_batch_on_function_error = true;
  m.parallelization_factor = 4;
  m.tumbling_window_seconds = 30;
  esm.tags = {{"k", "v"}, {"team", "x"}};
  auto decoded = DecodeEsm(EncodeEsm(esm));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded.value(), esm);
}

TEST(EsmCodecTest, DefaultsRoundTrip) {
  StoredEsm esm;
  esm.mapping.uuid = "a1b2c3d4-0000-4000-8000-000000000002";
  auto decoded = DecodeEsm(EncodeEsm(esm));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value(), esm);
  EXPECT_FALSE(decoded.value().mapping.maximum_concurrency);
  EXPECT_FALSE(decoded.value().mapping.on_failure_destination);
}

TEST(EsmCodecTest, MissingKeysDecodeAsDefaultsAndUnknownKeysAreIgnored) {
  auto decoded = DecodeEsm(R"({"uuid":"u","future_member":1})");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value().mapping.uuid, "u");
  EXPECT_EQ(decoded.value().mapping.state, domain::MappingState::kCreating);
  EXPECT_EQ(decoded.value().mapping.maximum_retry_attempts, -1);
}

TEST(EsmCodecTest, CorruptBodiesAreInternalErrors) {
  for (const char* body : {"", "[]", R"({"uuid":""})", R"({"uuid":"u","state":"Sleeping"})",
                           R"({"uuid":"u","kind":"kafka"})", R"({"uuid":"u","batch_size":"x"})",
                           R"({"uuid":"u","tags":{"k":1}})"}) {
    auto decoded = DecodeEsm(body);
    ASSERT_FALSE(decoded.ok()) << body;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInternal);
  }
}

}  // namespace
}  // namespace lambdalite::storage
