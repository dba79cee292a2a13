#include "storage/url_codec.h"

#include <boost/json.hpp>

namespace lambdalite::storage {
namespace json = boost::json;
namespace {

Error Corrupt(std::string_view key) {
  return Error::Make(ErrorCode::kInternal, "stored function URL config is corrupt: bad value at '" +
                                               std::string(key) + "'");
}

json::value Strings(const std::optional<std::vector<std::string>>& v) {
  if (!v) return nullptr;
  json::array a;
  for (const std::string& s : *v) a.emplace_back(json::string(s.data(), s.size()));
  return a;
}

Status ReadStrings(const json::object& o, std::string_view key,
                   std::optional<std::vector<std::string>>& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_array()) return Corrupt(key);
  out.emplace();
  for (const json::value& e : v->get_array()) {
    if (!e.is_string()) return Corrupt(key);
    out->emplace_back(e.get_string());
  }
  return Status::Ok();
}

Status ReadString(const json::object& o, std::string_view key, std::string& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_string()) return Corrupt(key);
  out = std::string(v->get_string());
  return Status::Ok();
}

Status ReadInt(const json::object& o, std::string_view key, int64_t& out) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return Status::Ok();
  if (!v->is_int64()) return Corrupt(key);
  out = v->get_int64();
  return Status::Ok();
}

}  // namespace

std::string UrlRecordKey(std::string_view function_name, std::string_view qualifier) {
  std::string key(function_name);
  if (!qualifier.empty()) key.append(1, ':').append(qualifier);
  return key;
}

std::string EncodeUrlConfig(const domain::FunctionUrlConfig& c) {
  json::object o;
  o["qualifier"] = c.qualifier;
  o["url_id"] = c.url_id;
  o["auth_type"] = c.auth_type;
  o["invoke_mode"] = c.invoke_mode ? json::value(*c.invoke_mode) : json::value(nullptr);
  if (c.cors) {
    json::object cors;
    cors["allow_credentials"] =
        c.cors->allow_credentials ? json::value(*c.cors->allow_credentials) : json::value(nullptr);
    cors["allow_headers"] = Strings(c.cors->allow_headers);
    cors["allow_methods"] = Strings(c.cors->allow_methods);
    cors["allow_origins"] = Strings(c.cors->allow_origins);
    cors["expose_headers"] = Strings(c.cors->expose_headers);
    cors["max_age"] = c.cors->max_age ? json::value(*c.cors->max_age) : json::value(nullptr);
    o["cors"] = std::move(cors);
  } else {
    o["cors"] = nullptr;
  }
  o["creation_ms"] = c.creation_ms;
  o["last_modified_ms"] = c.last_modified_ms;
  return json::serialize(o);
}

Result<domain::FunctionUrlConfig> DecodeUrlConfig(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) return Corrupt("");
  const json::object& o = v.get_object();
  domain::FunctionUrlConfig c;
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "qualifier", c.qualifier));
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "url_id", c.url_id));
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "auth_type", c.auth_type));
  if (const json::value* m = o.if_contains("invoke_mode"); m && !m->is_null()) {
    if (!m->is_string()) return Corrupt("invoke_mode");
    c.invoke_mode = std::string(m->get_string());
  }
  if (const json::value* cv = o.if_contains("cors"); cv && !cv->is_null()) {
    if (!cv->is_object()) return Corrupt("cors");
    const json::object& co = cv->get_object();
    domain::UrlCors cors;
    if (const json::value* b = co.if_contains("allow_credentials"); b && !b->is_null()) {
      if (!b->is_bool()) return Corrupt("allow_credentials");
      cors.allow_credentials = b->get_bool();
    }
    LAMBDALITE_RETURN_IF_ERROR(ReadStrings(co, "allow_headers", cors.allow_headers));
    LAMBDALITE_RETURN_IF_ERROR(ReadStrings(co, "allow_methods", cors.allow_methods));
    LAMBDALITE_RETURN_IF_ERROR(ReadStrings(co, "allow_origins", cors.allow_origins));
    LAMBDALITE_RETURN_IF_ERROR(ReadStrings(co, "expose_headers", cors.expose_headers));
    if (const json::value* m = co.if_contains("max_age"); m && !m->is_null()) {
      if (!m->is_int64()) return Corrupt("max_age");
      cors.max_age = static_cast<int>(m->get_int64());
    }
    c.cors = std::move(cors);
  }
  LAMBDALITE_RETURN_IF_ERROR(ReadInt(o, "creation_ms", c.creation_ms));
  LAMBDALITE_RETURN_IF_ERROR(ReadInt(o, "last_modified_ms", c.last_modified_ms));
  if (!domain::IsUrlId(c.url_id)) return Corrupt("url_id");
  return c;
}

}  // namespace lambdalite::storage
