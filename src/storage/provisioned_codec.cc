#include "storage/provisioned_codec.h"

#include <boost/json.hpp>

namespace lambdalite::storage {
namespace json = boost::json;
namespace {

Error Corrupt(std::string_view key) {
  return Error::Make(
      ErrorCode::kInternal,
      "stored provisioned concurrency config is corrupt: bad value at '" + std::string(key) + "'");
}

}  // namespace

std::string ProvisionedRecordKey(std::string_view function_name, std::string_view qualifier) {
  std::string key(function_name);
  key.append(1, ':').append(qualifier);
  return key;
}

std::string EncodeProvisioned(const domain::ProvisionedConcurrencyConfig& config) {
  json::object o;
  o["qualifier"] = json::string(config.qualifier.data(), config.qualifier.size());
  o["requested"] = config.requested;
  o["last_modified_ms"] = config.last_modified_ms;
  return json::serialize(o);
}

Result<domain::ProvisionedConcurrencyConfig> DecodeProvisioned(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) return Corrupt("");
  const json::object& o = v.get_object();
  domain::ProvisionedConcurrencyConfig config;
  if (const json::value* q = o.if_contains("qualifier"); q && !q->is_null()) {
    if (!q->is_string()) return Corrupt("qualifier");
    config.qualifier = std::string(q->get_string());
  }
  if (const json::value* r = o.if_contains("requested"); r && !r->is_null()) {
    if (!r->is_int64()) return Corrupt("requested");
    config.requested = static_cast<int>(r->get_int64());
  }
  if (const json::value* m = o.if_contains("last_modified_ms"); m && !m->is_null()) {
    if (!m->is_int64()) return Corrupt("last_modified_ms");
    config.last_modified_ms = m->get_int64();
  }
  if (config.qualifier.empty()) return Corrupt("qualifier");
  return config;
}

}  // namespace lambdalite::storage
