#include "storage/layer_codec.h"

#include <boost/json.hpp>

#include "storage/policy_codec.h"

namespace lambdalite::storage {
namespace json = boost::json;
namespace {

Error Corrupt(std::string_view key) {
  return Error::Make(ErrorCode::kInternal,
                     "stored layer version is corrupt: bad value at '" + std::string(key) + "'");
}

json::string Str(std::string_view s) { return json::string(s.data(), s.size()); }

json::array Strings(const std::vector<std::string>& list) {
  json::array a;
  for (const auto& s : list) a.push_back(Str(s));
  return a;
}

bool ReadString(const json::object& o, std::string_view key, std::string* out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_string()) return false;
  *out = std::string(v->get_string());
  return true;
}

bool ReadInt(const json::object& o, std::string_view key, int64_t* out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_int64()) return false;
  *out = v->get_int64();
  return true;
}

bool ReadStrings(const json::object& o, std::string_view key,
                 std::optional<std::vector<std::string>>* out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_array()) return false;
  auto& list = out->emplace();
  for (const json::value& item : v->get_array()) {
    if (!item.is_string()) return false;
    list.emplace_back(item.get_string());
  }
  return true;
}

}  // namespace

std::string LayerVersionRecordKey(std::string_view name, int64_t version) {
  return std::string(name) + ":" + std::to_string(version);
}

std::string EncodeLayerVersion(const domain::LayerVersion& v) {
  json::object o;
  o["name"] = Str(v.name);
  o["version"] = v.version;
  o["description"] = Str(v.description);
  if (v.license_info) o["license_info"] = Str(*v.license_info);
  if (v.compatible_runtimes) o["compatible_runtimes"] = Strings(*v.compatible_runtimes);
  if (v.compatible_architectures) {
    o["compatible_architectures"] = Strings(*v.compatible_architectures);
  }
  o["created_ms"] = v.created_ms;
  o["code"] = json::object{{"sha256_base64", Str(v.code.sha256_base64)},
                           {"size", v.code.size},
                           {"blob_id", Str(v.code.blob_id)},
                           {"unzipped_size", v.code.unzipped_size}};
  // The policy in its own codec's text, so both families read it the same way.
  o["policy"] = Str(EncodePolicy(v.policy));
  return json::serialize(o);
}

Result<domain::LayerVersion> DecodeLayerVersion(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !root.is_object()) return Corrupt("");
  const json::object& o = root.get_object();
  domain::LayerVersion v;
  if (!ReadString(o, "name", &v.name) || v.name.empty()) return Corrupt("name");
  if (!ReadInt(o, "version", &v.version) || v.version < 1) return Corrupt("version");
  if (!ReadString(o, "description", &v.description)) return Corrupt("description");
  if (o.if_contains("license_info") && !o.at("license_info").is_null()) {
    if (!ReadString(o, "license_info", &v.license_info.emplace())) return Corrupt("license_info");
  }
  if (!ReadStrings(o, "compatible_runtimes", &v.compatible_runtimes)) {
    return Corrupt("compatible_runtimes");
  }
  if (!ReadStrings(o, "compatible_architectures", &v.compatible_architectures)) {
    return Corrupt("compatible_architectures");
  }
  if (!ReadInt(o, "created_ms", &v.created_ms)) return Corrupt("created_ms");
  if (const json::value* code = o.if_contains("code"); code && !code->is_null()) {
    if (!code->is_object()) return Corrupt("code");
    const json::object& c = code->get_object();
    if (!ReadString(c, "sha256_base64", &v.code.sha256_base64) ||
        !ReadInt(c, "size", &v.code.size) || !ReadString(c, "blob_id", &v.code.blob_id) ||
        !ReadInt(c, "unzipped_size", &v.code.unzipped_size)) {
      return Corrupt("code");
    }
  }
  std::string policy;
  if (!ReadString(o, "policy", &policy)) return Corrupt("policy");
  if (!policy.empty()) {
    LAMBDALITE_TRY(v.policy, DecodePolicy(policy));
  }
  return v;
}

std::string EncodeLayerCounter(int64_t last_version) {
  return json::serialize(json::object{{"last_version", last_version}});
}

Result<int64_t> DecodeLayerCounter(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !root.is_object()) return Corrupt("");
  int64_t last = 0;
  if (!ReadInt(root.get_object(), "last_version", &last) || last < 0) {
    return Corrupt("last_version");
  }
  return last;
}

}  // namespace lambdalite::storage
