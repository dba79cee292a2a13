// The persisted JSON format. Round trips of every member through real stores are covered by
// store_conformance_test.cc; this file pins the format itself and the decoder's tolerance rules.

#include "storage/codec.h"

#include <gtest/gtest.h>

#include <string>

namespace lambdalite::storage {
namespace {

TEST(Codec, PinsTheFormatOfFunctionMeta) {
  // Rows written today must stay readable forever: a change here is a format change and needs a
  // migration, not an edit of this expectation.
  domain::FunctionMeta meta;
  meta.name = "fn";
  meta.tags = {{"k", "v"}};
  meta.reserved_concurrency = 3;
  meta.last_published_version = 2;
  meta.created_ms = 1700000000000;
  EXPECT_EQ(EncodeFunctionMeta(meta), R"({"name":"fn","tags":{"k":"v"},"reserved_concurrency":3,)"
                                      R"("last_published_version":2,"created_ms":1700000000000})");
  meta.reserved_concurrency.reset();
  EXPECT_EQ(EncodeFunctionMeta(meta), R"({"name":"fn","tags":{"k":"v"},"last_published_version":2,)"
                                      R"("created_ms":1700000000000})");
}

TEST(Codec, PinsTheFormatOfEventInvokeConfig) {
  domain::EventInvokeConfig config;
  config.qualifier = "$LATEST";
  config.maximum_retry_attempts = 1;
  config.destinations.on_failure = "arn:q";
  config.last_modified_ms = 5;
  EXPECT_EQ(EncodeEventInvokeConfig(config),
            R"({"qualifier":"$LATEST","maximum_retry_attempts":1,)"
            R"("destinations":{"on_failure":"arn:q"},"last_modified_ms":5})");
}

TEST(Codec, MissingKeysDecodeAsDomainDefaults) {
  auto version = DecodeFunctionVersion(R"({"version":"3","config":{"runtime":"nodejs20.x"}})");
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(version->version, "3");
  domain::FunctionConfig expected;
  expected.runtime = "nodejs20.x";
  EXPECT_TRUE(version->config == expected);
  EXPECT_EQ(version->config.architectures, std::vector<std::string>{"x86_64"});
  EXPECT_EQ(version->config.memory_size, 128);

  auto empty = DecodeFunctionVersion("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->config == domain::FunctionConfig{});
}

TEST(Codec, NullMeansUnsetAndUnknownKeysAreIgnored) {
  auto meta = DecodeFunctionMeta(
      R"({"name":"fn","reserved_concurrency":null,"future_field":{"x":[1,2]},"tags":null})");
  ASSERT_TRUE(meta.ok()) << meta.error().message;
  EXPECT_EQ(meta->name, "fn");
  EXPECT_FALSE(meta->reserved_concurrency.has_value());
  EXPECT_TRUE(meta->tags.empty());

  auto version = DecodeFunctionVersion(R"({"config":{"environment":null,"vpc":null}})");
  ASSERT_TRUE(version.ok());
  EXPECT_FALSE(version->config.environment.has_value());
  EXPECT_FALSE(version->config.vpc.has_value());
}

TEST(Codec, ReportsCorruptionWithTheOffendingKey) {
  struct Case {
    std::string json;
    std::string expected_in_message;
  };
  for (const Case& c : std::vector<Case>{
           {"not json", "corrupt version record"},
           {"[]", "<root>"},
           {R"({"version":7})", "'version'"},
           {R"({"config":{"memory_size":"big"}})", "'config.memory_size'"},
           {R"({"config":{"memory_size":99999999999}})", "'config.memory_size'"},
           {R"({"config":{"timeout":1.5}})", "'config.timeout'"},
           {R"({"config":{"layers":["a",1]}})", "'config.layers'"},
           {R"({"config":{"environment":{"K":1}}})", "'config.environment'"},
           {R"({"config":{"logging":{"log_group":false}}})", "'config.logging.log_group'"},
           {R"({"config":{"vpc":{"ipv6_allowed_for_dual_stack":"yes"}}})",
            "'config.vpc.ipv6_allowed_for_dual_stack'"},
           {R"({"config":{"file_systems":[{"arn":"a"},{"arn":2}]}})",
            "'config.file_systems[1].arn'"},
           {R"({"config":{"file_systems":{}}})", "'config.file_systems'"},
           {R"({"code":{"size":18446744073709551615}})", "'code.size'"},
       }) {
    auto decoded = DecodeFunctionVersion(c.json);
    ASSERT_FALSE(decoded.ok()) << c.json;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInternal);
    EXPECT_NE(decoded.error().message.find(c.expected_in_message), std::string::npos)
        << c.json << " -> " << decoded.error().message;
  }

  auto alias = DecodeAlias(R"({"routing_weights":{"1":"half"}})");
  ASSERT_FALSE(alias.ok());
  EXPECT_NE(alias.error().message.find("routing_weights"), std::string::npos);
  auto config = DecodeEventInvokeConfig(R"({"destinations":{"on_success":1}})");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("destinations.on_success"), std::string::npos);
}

TEST(Codec, AcceptsIntegralRoutingWeights) {
  auto alias = DecodeAlias(R"({"routing_weights":{"1":1,"2":0}})");
  ASSERT_TRUE(alias.ok());
  EXPECT_EQ(alias->routing_weights.at("1"), 1.0);
  EXPECT_EQ(alias->routing_weights.at("2"), 0.0);
}

TEST(Codec, ParsesOnlyCanonicalPublishedVersions) {
  EXPECT_EQ(ParsePublishedVersion("1"), 1);
  EXPECT_EQ(ParsePublishedVersion("0"), 0);
  EXPECT_EQ(ParsePublishedVersion("42"), 42);
  EXPECT_EQ(ParsePublishedVersion("999999999999999999"), 999999999999999999);
  for (const char* bad :
       {"", "$LATEST", "01", "00", "+1", "-1", "1.0", "1a", " 1", "1000000000000000000"}) {
    EXPECT_FALSE(ParsePublishedVersion(bad).has_value()) << bad;
  }
  EXPECT_TRUE(IsStorableVersionKey("$LATEST"));
  EXPECT_TRUE(IsStorableVersionKey("7"));
  EXPECT_FALSE(IsStorableVersionKey("07"));
}

}  // namespace
}  // namespace lambdalite::storage
