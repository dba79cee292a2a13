#include "storage/codec.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <limits>
#include <map>
#include <utility>
#include <vector>

namespace lambdalite::storage {
namespace {

namespace json = boost::json;

// ---------------------------------------------------------------------------------------------
// Encoding

json::string JsonString(std::string_view s) { return json::string(s.data(), s.size()); }

json::array StringArray(const std::vector<std::string>& items) {
  json::array out;
  out.reserve(items.size());
  for (const auto& item : items) out.emplace_back(JsonString(item));
  return out;
}

json::object StringMap(const std::map<std::string, std::string>& items) {
  json::object out;
  out.reserve(items.size());
  for (const auto& [key, value] : items) out[key] = JsonString(value);
  return out;
}

void PutOptional(json::object& o, std::string_view key, const std::optional<std::string>& v) {
  if (v) o[key] = JsonString(*v);
}

void PutOptional(json::object& o, std::string_view key, const std::optional<int>& v) {
  if (v) o[key] = *v;
}

json::object EncodeLogging(const domain::LoggingConfig& l) {
  json::object o;
  o["log_format"] = JsonString(l.log_format);
  PutOptional(o, "application_log_level", l.application_log_level);
  PutOptional(o, "system_log_level", l.system_log_level);
  o["log_group"] = JsonString(l.log_group);
  return o;
}

json::object EncodeVpc(const domain::VpcConfig& v) {
  json::object o;
  o["subnet_ids"] = StringArray(v.subnet_ids);
  o["security_group_ids"] = StringArray(v.security_group_ids);
  o["ipv6_allowed_for_dual_stack"] = v.ipv6_allowed_for_dual_stack;
  return o;
}

json::object EncodeCode(const domain::CodeInfo& c);
void DecodeCode(const json::value& v, const std::string& path, std::string* error,
                domain::CodeInfo* out);

json::object EncodeConfig(const domain::FunctionConfig& c) {
  json::object o;
  o["description"] = JsonString(c.description);
  o["runtime"] = JsonString(c.runtime);
  o["handler"] = JsonString(c.handler);
  o["role"] = JsonString(c.role);
  o["memory_size"] = c.memory_size;
  o["timeout"] = c.timeout;
  if (c.environment) o["environment"] = StringMap(*c.environment);
  PutOptional(o, "dead_letter_target_arn", c.dead_letter_target_arn);
  o["tracing_mode"] = JsonString(c.tracing_mode);
  o["layers"] = StringArray(c.layers);
  json::array layer_code;
  for (const domain::CodeInfo& code : c.layer_code) layer_code.emplace_back(EncodeCode(code));
  o["layer_code"] = std::move(layer_code);
  o["ephemeral_storage_mb"] = c.ephemeral_storage_mb;
  o["architectures"] = StringArray(c.architectures);
  o["logging"] = EncodeLogging(c.logging);
  o["snap_start_apply_on"] = JsonString(c.snap_start_apply_on);
  if (c.vpc) o["vpc"] = EncodeVpc(*c.vpc);
  PutOptional(o, "kms_key_arn", c.kms_key_arn);
  json::array file_systems;
  for (const auto& fs : c.file_systems) {
    json::object f;
    f["arn"] = JsonString(fs.arn);
    f["local_mount_path"] = JsonString(fs.local_mount_path);
    file_systems.emplace_back(std::move(f));
  }
  o["file_systems"] = std::move(file_systems);
  o["package_type"] = JsonString(c.package_type);
  return o;
}

json::object EncodeCode(const domain::CodeInfo& c) {
  json::object o;
  o["sha256_base64"] = JsonString(c.sha256_base64);
  o["size"] = c.size;
  o["blob_id"] = JsonString(c.blob_id);
  o["unzipped_size"] = c.unzipped_size;
  return o;
}

// ---------------------------------------------------------------------------------------------
// Decoding
//
// A FieldReader reads the members of one JSON object into domain fields. It records only the
// first failure (with the dotted path of the key) and turns later reads into no-ops, so decode
// functions read straight through without checking after every field.

class FieldReader {
 public:
  // `error` is shared by every reader of one decode; a non-empty value means "failed".
  FieldReader(const json::value& value, std::string path, std::string* error)
      : path_(std::move(path)), error_(error) {
    object_ = value.if_object();
    if (object_ == nullptr) Fail("", "an object");
  }

  bool ok() const { return error_->empty(); }

  // Returns the value of `key`, or nullptr when it is absent or null (both mean "unset").
  const json::value* Find(std::string_view key) const {
    if (!ok() || object_ == nullptr) return nullptr;
    const json::value* v = object_->if_contains(key);
    if (v == nullptr || v->is_null()) return nullptr;
    return v;
  }

  std::string PathOf(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  void Fail(std::string_view key, std::string_view expected) {
    if (!ok()) return;
    std::string where = key.empty() ? path_ : PathOf(key);
    if (where.empty()) where = "<root>";
    *error_ = "field '" + where + "': expected " + std::string(expected);
  }

  void Read(std::string_view key, std::string* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    if (!ToString(*v, key, out)) return;
  }

  void Read(std::string_view key, std::optional<std::string>* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    std::string s;
    if (ToString(*v, key, &s)) *out = std::move(s);
  }

  void Read(std::string_view key, bool* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    if (!v->is_bool()) return Fail(key, "a boolean");
    *out = v->get_bool();
  }

  void Read(std::string_view key, int64_t* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    ToInteger(*v, key, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
              out);
  }

  void Read(std::string_view key, int* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    int64_t n = 0;
    if (ToInteger(*v, key, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), &n)) {
      *out = static_cast<int>(n);
    }
  }

  void Read(std::string_view key, std::optional<int>* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    int64_t n = 0;
    if (ToInteger(*v, key, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), &n)) {
      *out = static_cast<int>(n);
    }
  }

  void Read(std::string_view key, std::vector<std::string>* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    const json::array* a = v->if_array();
    if (a == nullptr) return Fail(key, "an array of strings");
    std::vector<std::string> items;
    items.reserve(a->size());
    for (const json::value& item : *a) {
      const json::string* s = item.if_string();
      if (s == nullptr) return Fail(key, "an array of strings");
      items.emplace_back(s->data(), s->size());
    }
    *out = std::move(items);
  }

  void Read(std::string_view key, std::map<std::string, std::string>* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    const json::object* o = v->if_object();
    if (o == nullptr) return Fail(key, "an object of strings");
    std::map<std::string, std::string> items;
    for (const auto& entry : *o) {
      const json::string* s = entry.value().if_string();
      if (s == nullptr) return Fail(key, "an object of strings");
      items.emplace(std::string(entry.key().data(), entry.key().size()),
                    std::string(s->data(), s->size()));
    }
    *out = std::move(items);
  }

  void Read(std::string_view key, std::optional<std::map<std::string, std::string>>* out) {
    if (Find(key) == nullptr) return;
    std::map<std::string, std::string> items;
    Read(key, &items);
    if (ok()) *out = std::move(items);
  }

  void Read(std::string_view key, std::map<std::string, double>* out) {
    const json::value* v = Find(key);
    if (v == nullptr) return;
    const json::object* o = v->if_object();
    if (o == nullptr) return Fail(key, "an object of numbers");
    std::map<std::string, double> items;
    for (const auto& entry : *o) {
      const json::value& n = entry.value();
      double d = 0;
      if (n.is_double()) {
        d = n.get_double();
      } else if (n.is_int64()) {
        d = static_cast<double>(n.get_int64());
      } else if (n.is_uint64()) {
        d = static_cast<double>(n.get_uint64());
      } else {
        return Fail(key, "an object of numbers");
      }
      items.emplace(std::string(entry.key().data(), entry.key().size()), d);
    }
    *out = std::move(items);
  }

 private:
  bool ToString(const json::value& v, std::string_view key, std::string* out) {
    const json::string* s = v.if_string();
    if (s == nullptr) {
      Fail(key, "a string");
      return false;
    }
    out->assign(s->data(), s->size());
    return true;
  }

  bool ToInteger(const json::value& v, std::string_view key, int64_t min, int64_t max,
                 int64_t* out) {
    int64_t n = 0;
    if (v.is_int64()) {
      n = v.get_int64();
    } else if (v.is_uint64() &&
               v.get_uint64() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      n = static_cast<int64_t>(v.get_uint64());
    } else {
      Fail(key, "an integer");
      return false;
    }
    if (n < min || n > max) {
      Fail(key, "an integer in range");
      return false;
    }
    *out = n;
    return true;
  }

  const json::object* object_ = nullptr;
  std::string path_;
  std::string* error_;
};

void DecodeLogging(const json::value& v, const std::string& path, std::string* error,
                   domain::LoggingConfig* out) {
  FieldReader r(v, path, error);
  r.Read("log_format", &out->log_format);
  r.Read("application_log_level", &out->application_log_level);
  r.Read("system_log_level", &out->system_log_level);
  r.Read("log_group", &out->log_group);
}

void DecodeVpc(const json::value& v, const std::string& path, std::string* error,
               domain::VpcConfig* out) {
  FieldReader r(v, path, error);
  r.Read("subnet_ids", &out->subnet_ids);
  r.Read("security_group_ids", &out->security_group_ids);
  r.Read("ipv6_allowed_for_dual_stack", &out->ipv6_allowed_for_dual_stack);
}

void DecodeConfig(const json::value& v, const std::string& path, std::string* error,
                  domain::FunctionConfig* out) {
  FieldReader r(v, path, error);
  r.Read("description", &out->description);
  r.Read("runtime", &out->runtime);
  r.Read("handler", &out->handler);
  r.Read("role", &out->role);
  r.Read("memory_size", &out->memory_size);
  r.Read("timeout", &out->timeout);
  r.Read("environment", &out->environment);
  r.Read("dead_letter_target_arn", &out->dead_letter_target_arn);
  r.Read("tracing_mode", &out->tracing_mode);
  r.Read("layers", &out->layers);
  r.Read("ephemeral_storage_mb", &out->ephemeral_storage_mb);
  r.Read("architectures", &out->architectures);
  if (const json::value* logging = r.Find("logging")) {
    DecodeLogging(*logging, r.PathOf("logging"), error, &out->logging);
  }
  r.Read("snap_start_apply_on", &out->snap_start_apply_on);
  if (const json::value* vpc = r.Find("vpc")) {
    out->vpc.emplace();
    DecodeVpc(*vpc, r.PathOf("vpc"), error, &*out->vpc);
  }
  r.Read("kms_key_arn", &out->kms_key_arn);
  if (const json::value* file_systems = r.Find("file_systems")) {
    const json::array* items = file_systems->if_array();
    if (items == nullptr) return r.Fail("file_systems", "an array of objects");
    out->file_systems.clear();
    for (size_t i = 0; i < items->size() && r.ok(); ++i) {
      FieldReader f((*items)[i], r.PathOf("file_systems") + "[" + std::to_string(i) + "]", error);
      domain::FileSystemConfig fs;
      f.Read("arn", &fs.arn);
      f.Read("local_mount_path", &fs.local_mount_path);
      out->file_systems.push_back(std::move(fs));
    }
  }
  r.Read("package_type", &out->package_type);
  if (const json::value* layer_code = r.Find("layer_code")) {
    const json::array* items = layer_code->if_array();
    if (items == nullptr) return r.Fail("layer_code", "an array of objects");
    out->layer_code.clear();
    for (size_t i = 0; i < items->size() && r.ok(); ++i) {
      DecodeCode((*items)[i], r.PathOf("layer_code") + "[" + std::to_string(i) + "]", error,
                 &out->layer_code.emplace_back());
    }
  }
}

void DecodeCode(const json::value& v, const std::string& path, std::string* error,
                domain::CodeInfo* out) {
  FieldReader r(v, path, error);
  r.Read("sha256_base64", &out->sha256_base64);
  r.Read("size", &out->size);
  r.Read("blob_id", &out->blob_id);
  r.Read("unzipped_size", &out->unzipped_size);
}

// Parses `text` and runs `decode` on the root value. Every failure becomes kInternal, because a
// row this layer wrote that it cannot read back is corrupt.
template <typename T, typename DecodeFn>
Result<T> DecodeRoot(std::string_view what, std::string_view text, DecodeFn decode) {
  json::parse_options options;
  // Encoding copies bytes verbatim, so decoding must accept whatever strings the domain held.
  options.allow_invalid_utf8 = true;
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(text.data(), text.size()), ec, {}, options);
  if (ec) {
    return Error::Make(ErrorCode::kInternal,
                       "storage: corrupt " + std::string(what) + " record: " + ec.message());
  }
  std::string error;
  T out;
  decode(root, &error, &out);
  if (!error.empty()) {
    return Error::Make(ErrorCode::kInternal,
                       "storage: corrupt " + std::string(what) + " record: " + error);
  }
  return out;
}

}  // namespace

std::string EncodeFunctionMeta(const domain::FunctionMeta& meta) {
  json::object o;
  o["name"] = JsonString(meta.name);
  o["tags"] = StringMap(meta.tags);
  PutOptional(o, "reserved_concurrency", meta.reserved_concurrency);
  o["last_published_version"] = meta.last_published_version;
  o["created_ms"] = meta.created_ms;
  return json::serialize(o);
}

Result<domain::FunctionMeta> DecodeFunctionMeta(std::string_view text) {
  return DecodeRoot<domain::FunctionMeta>(
      "function", text, [](const json::value& v, std::string* error, domain::FunctionMeta* out) {
        FieldReader r(v, "", error);
        r.Read("name", &out->name);
        r.Read("tags", &out->tags);
        r.Read("reserved_concurrency", &out->reserved_concurrency);
        r.Read("last_published_version", &out->last_published_version);
        r.Read("created_ms", &out->created_ms);
      });
}

std::string EncodeFunctionVersion(const domain::FunctionVersion& version) {
  json::object o;
  o["version"] = JsonString(version.version);
  o["config"] = EncodeConfig(version.config);
  o["code"] = EncodeCode(version.code);
  o["revision_id"] = JsonString(version.revision_id);
  o["last_modified_ms"] = version.last_modified_ms;
  o["source_revision_id"] = JsonString(version.source_revision_id);
  return json::serialize(o);
}

Result<domain::FunctionVersion> DecodeFunctionVersion(std::string_view text) {
  return DecodeRoot<domain::FunctionVersion>(
      "version", text, [](const json::value& v, std::string* error, domain::FunctionVersion* out) {
        FieldReader r(v, "", error);
        r.Read("version", &out->version);
        if (const json::value* config = r.Find("config")) {
          DecodeConfig(*config, "config", error, &out->config);
        }
        if (const json::value* code = r.Find("code")) {
          DecodeCode(*code, "code", error, &out->code);
        }
        r.Read("revision_id", &out->revision_id);
        r.Read("last_modified_ms", &out->last_modified_ms);
        r.Read("source_revision_id", &out->source_revision_id);
      });
}

std::string EncodeAlias(const domain::Alias& alias) {
  json::object o;
  o["name"] = JsonString(alias.name);
  o["function_version"] = JsonString(alias.function_version);
  o["description"] = JsonString(alias.description);
  json::object weights;
  for (const auto& [version, weight] : alias.routing_weights) weights[version] = weight;
  o["routing_weights"] = std::move(weights);
  o["revision_id"] = JsonString(alias.revision_id);
  return json::serialize(o);
}

Result<domain::Alias> DecodeAlias(std::string_view text) {
  return DecodeRoot<domain::Alias>(
      "alias", text, [](const json::value& v, std::string* error, domain::Alias* out) {
        FieldReader r(v, "", error);
        r.Read("name", &out->name);
        r.Read("function_version", &out->function_version);
        r.Read("description", &out->description);
        r.Read("routing_weights", &out->routing_weights);
        r.Read("revision_id", &out->revision_id);
      });
}

std::string EncodeEventInvokeConfig(const domain::EventInvokeConfig& config) {
  json::object o;
  o["qualifier"] = JsonString(config.qualifier);
  PutOptional(o, "maximum_retry_attempts", config.maximum_retry_attempts);
  PutOptional(o, "maximum_event_age_seconds", config.maximum_event_age_seconds);
  json::object destinations;
  PutOptional(destinations, "on_success", config.destinations.on_success);
  PutOptional(destinations, "on_failure", config.destinations.on_failure);
  o["destinations"] = std::move(destinations);
  o["last_modified_ms"] = config.last_modified_ms;
  return json::serialize(o);
}

Result<domain::EventInvokeConfig> DecodeEventInvokeConfig(std::string_view text) {
  return DecodeRoot<domain::EventInvokeConfig>(
      "event invoke config", text,
      [](const json::value& v, std::string* error, domain::EventInvokeConfig* out) {
        FieldReader r(v, "", error);
        r.Read("qualifier", &out->qualifier);
        r.Read("maximum_retry_attempts", &out->maximum_retry_attempts);
        r.Read("maximum_event_age_seconds", &out->maximum_event_age_seconds);
        if (const json::value* destinations = r.Find("destinations")) {
          FieldReader d(*destinations, "destinations", error);
          d.Read("on_success", &out->destinations.on_success);
          d.Read("on_failure", &out->destinations.on_failure);
        }
        r.Read("last_modified_ms", &out->last_modified_ms);
      });
}

std::optional<int64_t> ParsePublishedVersion(std::string_view version) {
  // 18 digits always fit in int64_t; domain::IsVersionNumber uses the same bound.
  if (version.empty() || version.size() > 18) return std::nullopt;
  if (version.size() > 1 && version[0] == '0') return std::nullopt;
  int64_t n = 0;
  for (char c : version) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace lambdalite::storage
