#include "storage/code_signing_codec.h"

#include <boost/json.hpp>

namespace lambdalite::storage {
namespace {

namespace json = boost::json;

json::string JsonString(std::string_view s) { return json::string(s.data(), s.size()); }

Error Corrupt(std::string_view what, std::string_view detail) {
  return Error::Make(ErrorCode::kInternal,
                     "storage: corrupt " + std::string(what) + " record: " + std::string(detail));
}

Result<json::object> ParseObject(std::string_view what, std::string_view text) {
  json::parse_options options;
  options.allow_invalid_utf8 = true;  // strings are stored byte for byte
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(text.data(), text.size()), ec, {}, options);
  if (ec) return Corrupt(what, ec.message());
  if (!root.is_object()) return Corrupt(what, "field '<root>': expected an object");
  return std::move(root.as_object());
}

// Reads `key` as a string into `out` (left alone when absent or null).
Status ReadString(std::string_view what, const json::object& o, std::string_view key,
                  std::string* out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_string()) return Corrupt(what, "field '" + std::string(key) + "': expected a string");
  out->assign(v->get_string().data(), v->get_string().size());
  return Status::Ok();
}

}  // namespace

std::string EncodeCodeSigningConfig(const domain::CodeSigningConfig& c) {
  json::object o;
  o["id"] = JsonString(c.id);
  o["description"] = JsonString(c.description);
  json::array arns;
  for (const auto& a : c.signing_profile_version_arns) arns.push_back(JsonString(a));
  o["signing_profile_version_arns"] = std::move(arns);
  o["untrusted_artifact_on_deployment"] = JsonString(c.untrusted_artifact_on_deployment);
  o["last_modified_ms"] = c.last_modified_ms;
  json::object tags;
  for (const auto& [k, v] : c.tags) tags[k] = JsonString(v);
  o["tags"] = std::move(tags);
  return json::serialize(o);
}

Result<domain::CodeSigningConfig> DecodeCodeSigningConfig(std::string_view text) {
  constexpr std::string_view kWhat = "code signing config";
  LAMBDALITE_TRY(json::object o, ParseObject(kWhat, text));
  domain::CodeSigningConfig c;
  LAMBDALITE_RETURN_IF_ERROR(ReadString(kWhat, o, "id", &c.id));
  LAMBDALITE_RETURN_IF_ERROR(ReadString(kWhat, o, "description", &c.description));
  LAMBDALITE_RETURN_IF_ERROR(ReadString(kWhat, o, "untrusted_artifact_on_deployment",
                                        &c.untrusted_artifact_on_deployment));
  if (const json::value* v = o.if_contains("signing_profile_version_arns"); v && !v->is_null()) {
    if (!v->is_array()) {
      return Corrupt(kWhat, "field 'signing_profile_version_arns': expected an array of strings");
    }
    for (const json::value& item : v->get_array()) {
      if (!item.is_string()) {
        return Corrupt(kWhat, "field 'signing_profile_version_arns': expected an array of strings");
      }
      c.signing_profile_version_arns.emplace_back(item.get_string().data(),
                                                  item.get_string().size());
    }
  }
  if (const json::value* v = o.if_contains("last_modified_ms"); v && !v->is_null()) {
    if (!v->is_int64()) return Corrupt(kWhat, "field 'last_modified_ms': expected an integer");
    c.last_modified_ms = v->get_int64();
  }
  if (const json::value* v = o.if_contains("tags"); v && !v->is_null()) {
    if (!v->is_object()) return Corrupt(kWhat, "field 'tags': expected an object of strings");
    for (const auto& entry : v->get_object()) {
      if (!entry.value().is_string()) {
        return Corrupt(kWhat, "field 'tags': expected an object of strings");
      }
      const json::string& s = entry.value().get_string();
      c.tags.emplace(std::string(entry.key().data(), entry.key().size()),
                     std::string(s.data(), s.size()));
    }
  }
  return c;
}

std::string EncodeRuntimeManagement(const domain::RuntimeManagementConfig& c) {
  json::object o;
  o["update_runtime_on"] = JsonString(c.update_runtime_on);
  if (c.runtime_version_arn) o["runtime_version_arn"] = JsonString(*c.runtime_version_arn);
  return json::serialize(o);
}

Result<domain::RuntimeManagementConfig> DecodeRuntimeManagement(std::string_view text) {
  constexpr std::string_view kWhat = "runtime management config";
  LAMBDALITE_TRY(json::object o, ParseObject(kWhat, text));
  domain::RuntimeManagementConfig c;
  LAMBDALITE_RETURN_IF_ERROR(ReadString(kWhat, o, "update_runtime_on", &c.update_runtime_on));
  std::string arn;
  if (const json::value* v = o.if_contains("runtime_version_arn"); v && !v->is_null()) {
    LAMBDALITE_RETURN_IF_ERROR(ReadString(kWhat, o, "runtime_version_arn", &arn));
    c.runtime_version_arn = std::move(arn);
  }
  return c;
}

}  // namespace lambdalite::storage
