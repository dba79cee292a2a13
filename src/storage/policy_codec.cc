#include "storage/policy_codec.h"

#include <boost/json.hpp>

namespace lambdalite::storage {
namespace json = boost::json;
namespace {

json::string Str(std::string_view s) { return json::string(s.data(), s.size()); }

std::string_view KindName(domain::PolicyPrincipal::Kind kind) {
  switch (kind) {
    case domain::PolicyPrincipal::Kind::kAny:
      return "any";
    case domain::PolicyPrincipal::Kind::kService:
      return "service";
    case domain::PolicyPrincipal::Kind::kAws:
      return "aws";
  }
  return "any";
}

// Reads a string member: absent or null keeps the default; another type is corruption.
bool ReadString(const json::object& o, std::string_view key, std::string* out, std::string* err) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_string()) {
    *err = std::string(key);
    return false;
  }
  *out = std::string(v->get_string());
  return true;
}

Error Corrupt(std::string_view key) {
  return Error::Make(ErrorCode::kInternal,
                     "stored policy is corrupt: bad value at '" + std::string(key) + "'");
}

}  // namespace

std::string PolicyRecordKey(std::string_view function_name, std::string_view qualifier) {
  std::string key(function_name);
  if (!qualifier.empty()) key.append(1, ':').append(qualifier);
  return key;
}

std::string PolicyRecordQualifier(std::string_view key, std::string_view function_name) {
  if (key.size() <= function_name.size() + 1) return {};
  return std::string(key.substr(function_name.size() + 1));
}

std::string EncodePolicy(const domain::Policy& policy) {
  json::array statements;
  for (const domain::PolicyStatement& s : policy.statements) {
    json::array condition;
    for (const domain::ConditionBlock& block : s.condition) {
      json::array entries;
      for (const auto& [k, v] : block.entries) entries.push_back(json::array{Str(k), Str(v)});
      condition.push_back(json::object{{"op", Str(block.op)}, {"entries", std::move(entries)}});
    }
    statements.push_back(json::object{{"sid", Str(s.sid)},
                                      {"effect", Str(s.effect)},
                                      {"principal_kind", Str(KindName(s.principal.kind))},
                                      {"principal", Str(s.principal.value)},
                                      {"action", Str(s.action)},
                                      {"resource", Str(s.resource)},
                                      {"condition", std::move(condition)}});
  }
  return json::serialize(json::object{{"revision_id", Str(policy.revision_id)},
                                      {"statements", std::move(statements)}});
}

Result<domain::Policy> DecodePolicy(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !root.is_object()) return Corrupt("");
  const json::object& o = root.get_object();
  domain::Policy policy;
  std::string err;
  if (!ReadString(o, "revision_id", &policy.revision_id, &err)) return Corrupt(err);
  const json::value* statements = o.if_contains("statements");
  if (!statements || statements->is_null()) return policy;
  if (!statements->is_array()) return Corrupt("statements");
  for (const json::value& sv : statements->get_array()) {
    if (!sv.is_object()) return Corrupt("statements");
    const json::object& so = sv.get_object();
    domain::PolicyStatement s;
    std::string kind;
    if (!ReadString(so, "sid", &s.sid, &err) || !ReadString(so, "effect", &s.effect, &err) ||
        !ReadString(so, "principal_kind", &kind, &err) ||
        !ReadString(so, "principal", &s.principal.value, &err) ||
        !ReadString(so, "action", &s.action, &err) ||
        !ReadString(so, "resource", &s.resource, &err)) {
      return Corrupt("statements." + err);
    }
    if (kind == "service") {
      s.principal.kind = domain::PolicyPrincipal::Kind::kService;
    } else if (kind == "aws") {
      s.principal.kind = domain::PolicyPrincipal::Kind::kAws;
    } else if (kind == "any" || kind.empty()) {
      s.principal.kind = domain::PolicyPrincipal::Kind::kAny;
    } else {
      return Corrupt("statements.principal_kind");
    }
    if (const json::value* cv = so.if_contains("condition"); cv && !cv->is_null()) {
      if (!cv->is_array()) return Corrupt("statements.condition");
      for (const json::value& bv : cv->get_array()) {
        if (!bv.is_object()) return Corrupt("statements.condition");
        domain::ConditionBlock block;
        if (!ReadString(bv.get_object(), "op", &block.op, &err)) return Corrupt("condition.op");
        if (const json::value* ev = bv.get_object().if_contains("entries"); ev && ev->is_array()) {
          for (const json::value& pair : ev->get_array()) {
            if (!pair.is_array() || pair.get_array().size() != 2 ||
                !pair.get_array()[0].is_string() || !pair.get_array()[1].is_string()) {
              return Corrupt("condition.entries");
            }
            block.entries.emplace_back(std::string(pair.get_array()[0].get_string()),
                                       std::string(pair.get_array()[1].get_string()));
          }
        }
        s.condition.push_back(std::move(block));
      }
    }
    policy.statements.push_back(std::move(s));
  }
  return policy;
}

}  // namespace lambdalite::storage
