#include "aws/endpoints.h"

#include <cctype>
#include <cstdlib>
#include <vector>

namespace lambdalite::aws {
namespace {

std::string StripTrailingSlashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

bool IsTrue(const std::string& value) {
  std::string lower;
  for (char c : value)
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return lower == "true";
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

const std::vector<std::string>& KnownServiceIds() {
  static const std::vector<std::string> kIds = {
      "s3", "sqs", "sns", "events", "sts", "logs", "kinesis", "dynamodb", "dynamodb-streams"};
  return kIds;
}

std::string ServiceEndpointEnvName(std::string_view service_id) {
  // The SDKs derive the suffix from the service's SDK id ("EventBridge"), not its endpoint prefix.
  if (service_id == "events") return "AWS_ENDPOINT_URL_EVENTBRIDGE";
  std::string name = "AWS_ENDPOINT_URL_";
  for (char c : service_id) {
    name.push_back(c == '-' || c == ' '
                       ? '_'
                       : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return name;
}

Config ConfigFromEnvironment(const EnvLookup& env) {
  auto get = [&](const std::string& name) -> std::optional<std::string> {
    std::optional<std::string> value = env(name);
    if (value && value->empty()) return std::nullopt;
    return value;
  };
  Config config;
  if (auto v = get("AWS_REGION")) {
    config.region = *v;
  } else if (auto d = get("AWS_DEFAULT_REGION")) {
    config.region = *d;
  }
  if (auto v = get("AWS_ACCESS_KEY_ID")) config.credentials.access_key_id = *v;
  if (auto v = get("AWS_SECRET_ACCESS_KEY")) config.credentials.secret_access_key = *v;
  if (auto v = get("AWS_SESSION_TOKEN")) config.credentials.session_token = *v;

  auto ignore = get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  if (ignore && IsTrue(*ignore)) return config;
  if (auto v = get("AWS_ENDPOINT_URL")) config.endpoint_url = StripTrailingSlashes(*v);
  for (const std::string& id : KnownServiceIds()) {
    if (auto v = get(ServiceEndpointEnvName(id))) {
      config.service_endpoint_urls[id] = StripTrailingSlashes(*v);
    }
  }
  return config;
}

std::string ResolveEndpoint(const Config& config, std::string_view service_id,
                            std::string_view region) {
  auto it = config.service_endpoint_urls.find(std::string(service_id));
  if (it != config.service_endpoint_urls.end() && !it->second.empty()) {
    return StripTrailingSlashes(it->second);
  }
  if (!config.endpoint_url.empty()) return StripTrailingSlashes(config.endpoint_url);
  const std::string_view suffix =
      region.substr(0, 3) == "cn-" ? ".amazonaws.com.cn" : ".amazonaws.com";
  // The host prefix differs from the service id where the SDKs' id is not the endpoint prefix.
  const std::string_view host = service_id == "dynamodb-streams" ? "streams.dynamodb" : service_id;
  return "https://" + std::string(host) + "." + std::string(region) + std::string(suffix);
}

std::string ResolveEndpoint(const Config& config, std::string_view service_id) {
  return ResolveEndpoint(config, service_id, config.region);
}

}  // namespace lambdalite::aws
