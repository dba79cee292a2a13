#include "aws/endpoints.h"

#include <gtest/gtest.h>

#include <map>

namespace lambdalite::aws {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(EndpointsTest, DefaultsWithEmptyEnvironment) {
  Config config = ConfigFromEnvironment(FakeEnv({}));
  EXPECT_EQ(config.region, "us-east-1");
  EXPECT_EQ(config.credentials.access_key_id, "test");
  EXPECT_EQ(config.credentials.secret_access_key, "test");
  EXPECT_EQ(config.credentials.session_token, "");
  EXPECT_EQ(ResolveEndpoint(config, "s3"), "https://s3.us-east-1.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(config, "sqs", "eu-west-1"), "https://sqs.eu-west-1.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(config, "sns", "ap-southeast-2"),
            "https://sns.ap-southeast-2.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(config, "events", "us-west-2"),
            "https://events.us-west-2.amazonaws.com");
  EXPECT_EQ(ResolveEndpoint(config, "s3", "cn-north-1"), "https://s3.cn-north-1.amazonaws.com.cn");
  EXPECT_EQ(ResolveEndpoint(config, "dynamodb-streams", "us-west-2"),
            "https://streams.dynamodb.us-west-2.amazonaws.com");
  EXPECT_EQ(ServiceEndpointEnvName("dynamodb-streams"), "AWS_ENDPOINT_URL_DYNAMODB_STREAMS");
}

TEST(EndpointsTest, ReadsRegionAndCredentials) {
  Config config = ConfigFromEnvironment(FakeEnv({{"AWS_DEFAULT_REGION", "eu-central-1"},
                                                 {"AWS_ACCESS_KEY_ID", "AKID"},
                                                 {"AWS_SECRET_ACCESS_KEY", "SECRET"},
                                                 {"AWS_SESSION_TOKEN", "TOKEN"}}));
  EXPECT_EQ(config.region, "eu-central-1");
  EXPECT_EQ(config.credentials.access_key_id, "AKID");
  EXPECT_EQ(config.credentials.secret_access_key, "SECRET");
  EXPECT_EQ(config.credentials.session_token, "TOKEN");
  // AWS_REGION wins over AWS_DEFAULT_REGION; empty counts as unset.
  EXPECT_EQ(ConfigFromEnvironment(
                FakeEnv({{"AWS_REGION", "us-west-1"}, {"AWS_DEFAULT_REGION", "eu-central-1"}}))
                .region,
            "us-west-1");
  EXPECT_EQ(
      ConfigFromEnvironment(FakeEnv({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "eu-central-1"}}))
          .region,
      "eu-central-1");
}

TEST(EndpointsTest, GlobalEndpointUrl) {
  Config config = ConfigFromEnvironment(FakeEnv({{"AWS_ENDPOINT_URL", "http://localhost:4566/"}}));
  for (const char* service : {"s3", "sqs", "sns", "events"}) {
    EXPECT_EQ(ResolveEndpoint(config, service), "http://localhost:4566") << service;
  }
}

TEST(EndpointsTest, ServiceEndpointUrlsWin) {
  Config config = ConfigFromEnvironment(FakeEnv({
      {"AWS_ENDPOINT_URL", "http://global:1"},
      {"AWS_ENDPOINT_URL_S3", "http://s3host:2"},
      {"AWS_ENDPOINT_URL_SQS", "http://sqshost:3"},
      {"AWS_ENDPOINT_URL_SNS", "http://snshost:4"},
      {"AWS_ENDPOINT_URL_EVENTBRIDGE", "http://ebhost:5"},
      {"AWS_ENDPOINT_URL_EVENTS", "http://wrong:6"},
  }));
  EXPECT_EQ(ResolveEndpoint(config, "s3"), "http://s3host:2");
  EXPECT_EQ(ResolveEndpoint(config, "sqs"), "http://sqshost:3");
  EXPECT_EQ(ResolveEndpoint(config, "sns"), "http://snshost:4");
  EXPECT_EQ(ResolveEndpoint(config, "events"), "http://ebhost:5");
  EXPECT_EQ(ResolveEndpoint(config, "kinesis"), "http://global:1");
}

TEST(EndpointsTest, ServiceEndpointWithoutGlobal) {
  Config config =
      ConfigFromEnvironment(FakeEnv({{"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:5000"}}));
  EXPECT_EQ(ResolveEndpoint(config, "s3"), "http://127.0.0.1:5000");
  EXPECT_EQ(ResolveEndpoint(config, "sqs", "eu-west-1"), "https://sqs.eu-west-1.amazonaws.com");
}

TEST(EndpointsTest, IgnoreConfiguredEndpointUrls) {
  Config config = ConfigFromEnvironment(FakeEnv({{"AWS_ENDPOINT_URL", "http://global:1"},
                                                 {"AWS_ENDPOINT_URL_S3", "http://s3host:2"},
                                                 {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"}}));
  EXPECT_EQ(ResolveEndpoint(config, "s3"), "https://s3.us-east-1.amazonaws.com");
}

TEST(EndpointsTest, EnvNames) {
  EXPECT_EQ(ServiceEndpointEnvName("s3"), "AWS_ENDPOINT_URL_S3");
  EXPECT_EQ(ServiceEndpointEnvName("sqs"), "AWS_ENDPOINT_URL_SQS");
  EXPECT_EQ(ServiceEndpointEnvName("sns"), "AWS_ENDPOINT_URL_SNS");
  EXPECT_EQ(ServiceEndpointEnvName("events"), "AWS_ENDPOINT_URL_EVENTBRIDGE");
  EXPECT_EQ(ServiceEndpointEnvName("elastic-inference"), "AWS_ENDPOINT_URL_ELASTIC_INFERENCE");
}

TEST(EndpointsTest, InjectedConfig) {
  Config config;
  config.region = "eu-west-3";
  config.service_endpoint_urls["s3"] = "http://minio:9000/";
  EXPECT_EQ(ResolveEndpoint(config, "s3"), "http://minio:9000");
  EXPECT_EQ(ResolveEndpoint(config, "sns"), "https://sns.eu-west-3.amazonaws.com");
}

}  // namespace
}  // namespace lambdalite::aws
