#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/sigv4.h"

namespace lambdalite::aws {

// Where and as whom lambdalite calls other AWS services (S3 for code, SQS/SNS/EventBridge for
// destinations). Built once at startup, normally by ConfigFromEnvironment, and passed to clients;
// nothing below reads the environment on its own, so tests construct a Config directly.
struct Config {
  std::string region = "us-east-1";
  // Defaults to "test"/"test": what local emulators (moto, LocalStack) accept. Real AWS needs real
  // credentials in the environment.
  Credentials credentials{"test", "test", ""};
  // Endpoint for every service (AWS_ENDPOINT_URL); empty means the real AWS endpoint.
  std::string endpoint_url;
  // Per-service overrides keyed by service id ("s3", "sqs", "sns", "events"); these win over
  // endpoint_url.
  std::map<std::string, std::string> service_endpoint_urls;
};

// Looks up one environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
std::optional<std::string> ProcessEnv(const std::string& name);

// Reads the standard AWS SDK variables: AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1),
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, AWS_ENDPOINT_URL and
// AWS_ENDPOINT_URL_<SERVICE> for the services in KnownServiceIds(). As in the SDKs,
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true disables the endpoint variables. A variable set to the
// empty string counts as unset.
Config ConfigFromEnvironment(const EnvLookup& env = ProcessEnv);

// Service ids whose AWS_ENDPOINT_URL_<SERVICE> variable ConfigFromEnvironment reads.
const std::vector<std::string>& KnownServiceIds();

// "AWS_ENDPOINT_URL_S3" for "s3". Follows the SDKs' naming, so "events" maps to
// AWS_ENDPOINT_URL_EVENTBRIDGE; other ids are upper-cased with '-' turned into '_'.
std::string ServiceEndpointEnvName(std::string_view service_id);

// The base URL (no trailing '/') for calls to `service_id` in `region`: the per-service override,
// else Config::endpoint_url, else https://<service>.<region>.amazonaws.com (".amazonaws.com.cn" in
// the China regions).
std::string ResolveEndpoint(const Config& config, std::string_view service_id,
                            std::string_view region);
// The same in config.region.
std::string ResolveEndpoint(const Config& config, std::string_view service_id);

}  // namespace lambdalite::aws
