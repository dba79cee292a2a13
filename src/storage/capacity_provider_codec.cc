#include "storage/capacity_provider_codec.h"

#include <boost/json.hpp>

namespace lambdalite::storage {
namespace json = boost::json;
namespace {

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

Error Corrupt(std::string_view key) {
  return Error::Make(ErrorCode::kInternal, "stored capacity provider is corrupt: bad value at '" +
                                               std::string(key) + "'");
}

Status ReadString(const json::object& o, std::string_view key, std::string& out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_string()) return Corrupt(key);
  out = std::string(v->get_string());
  return Status::Ok();
}

Status ReadOptString(const json::object& o, std::string_view key, std::optional<std::string>& out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_string()) return Corrupt(key);
  out = std::string(v->get_string());
  return Status::Ok();
}

Status ReadStrings(const json::object& o, std::string_view key, std::vector<std::string>& out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return Status::Ok();
  if (!v->is_array()) return Corrupt(key);
  for (const json::value& e : v->get_array()) {
    if (!e.is_string()) return Corrupt(key);
    out.emplace_back(e.get_string());
  }
  return Status::Ok();
}

Status ReadOptStrings(const json::object& o, std::string_view key,
                      std::optional<std::vector<std::string>>& out) {
  const json::value* v = o.if_contains(key);
  if (!v || v->is_null()) return Status::Ok();
  out.emplace();
  return ReadStrings(o, key, *out);
}

}  // namespace

std::string EncodeCapacityProvider(const domain::CapacityProvider& p) {
  json::object o;
  o["name"] = p.name;
  o["subnet_ids"] = Strings(p.subnet_ids);
  o["security_group_ids"] = Strings(p.security_group_ids);
  o["operator_role_arn"] = p.operator_role_arn;
  if (p.instance_requirements) {
    json::object ir;
    const auto& r = *p.instance_requirements;
    if (r.architectures) ir["architectures"] = Strings(*r.architectures);
    if (r.allowed_instance_types) ir["allowed_instance_types"] = Strings(*r.allowed_instance_types);
    if (r.excluded_instance_types) {
      ir["excluded_instance_types"] = Strings(*r.excluded_instance_types);
    }
    o["instance_requirements"] = std::move(ir);
  }
  if (p.scaling_config) {
    json::object sc;
    const auto& c = *p.scaling_config;
    if (c.max_vcpu_count) sc["max_vcpu_count"] = *c.max_vcpu_count;
    if (c.scaling_mode) sc["scaling_mode"] = *c.scaling_mode;
    if (c.scaling_policies) {
      json::array policies;
      for (const auto& pol : *c.scaling_policies) {
        policies.push_back(json::object{{"predefined_metric_type", pol.predefined_metric_type},
                                        {"target_value", pol.target_value}});
      }
      sc["scaling_policies"] = std::move(policies);
    }
    o["scaling_config"] = std::move(sc);
  }
  if (p.kms_key_arn) o["kms_key_arn"] = *p.kms_key_arn;
  json::object tags;
  for (const auto& [k, v] : p.tags) tags[k] = v;
  o["tags"] = std::move(tags);
  o["last_modified_ms"] = p.last_modified_ms;
  return json::serialize(o);
}

Result<domain::CapacityProvider> DecodeCapacityProvider(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) return Corrupt("<root>");
  const json::object& o = v.get_object();
  domain::CapacityProvider p;
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "name", p.name));
  LAMBDALITE_RETURN_IF_ERROR(ReadStrings(o, "subnet_ids", p.subnet_ids));
  LAMBDALITE_RETURN_IF_ERROR(ReadStrings(o, "security_group_ids", p.security_group_ids));
  LAMBDALITE_RETURN_IF_ERROR(ReadString(o, "operator_role_arn", p.operator_role_arn));
  if (const json::value* ir = o.if_contains("instance_requirements"); ir && !ir->is_null()) {
    if (!ir->is_object()) return Corrupt("instance_requirements");
    domain::InstanceRequirements r;
    LAMBDALITE_RETURN_IF_ERROR(ReadOptStrings(ir->get_object(), "architectures", r.architectures));
    LAMBDALITE_RETURN_IF_ERROR(
        ReadOptStrings(ir->get_object(), "allowed_instance_types", r.allowed_instance_types));
    LAMBDALITE_RETURN_IF_ERROR(
        ReadOptStrings(ir->get_object(), "excluded_instance_types", r.excluded_instance_types));
    p.instance_requirements = std::move(r);
  }
  if (const json::value* sc = o.if_contains("scaling_config"); sc && !sc->is_null()) {
    if (!sc->is_object()) return Corrupt("scaling_config");
    const json::object& so = sc->get_object();
    domain::CapacityProviderScalingConfig c;
    if (const json::value* m = so.if_contains("max_vcpu_count"); m && !m->is_null()) {
      if (!m->is_int64()) return Corrupt("max_vcpu_count");
      c.max_vcpu_count = static_cast<int>(m->get_int64());
    }
    LAMBDALITE_RETURN_IF_ERROR(ReadOptString(so, "scaling_mode", c.scaling_mode));
    if (const json::value* pols = so.if_contains("scaling_policies"); pols && !pols->is_null()) {
      if (!pols->is_array()) return Corrupt("scaling_policies");
      c.scaling_policies.emplace();
      for (const json::value& e : pols->get_array()) {
        if (!e.is_object()) return Corrupt("scaling_policies");
        domain::CapacityProviderScalingPolicy pol;
        LAMBDALITE_RETURN_IF_ERROR(
            ReadString(e.get_object(), "predefined_metric_type", pol.predefined_metric_type));
        const json::value* t = e.get_object().if_contains("target_value");
        if (t && !t->is_null()) {
          if (!t->is_number()) return Corrupt("target_value");
          pol.target_value = t->to_number<double>();
        }
        c.scaling_policies->push_back(std::move(pol));
      }
    }
    p.scaling_config = std::move(c);
  }
  LAMBDALITE_RETURN_IF_ERROR(ReadOptString(o, "kms_key_arn", p.kms_key_arn));
  if (const json::value* t = o.if_contains("tags"); t && !t->is_null()) {
    if (!t->is_object()) return Corrupt("tags");
    for (const auto& kv : t->get_object()) {
      if (!kv.value().is_string()) return Corrupt("tags");
      p.tags[std::string(kv.key())] = std::string(kv.value().get_string());
    }
  }
  if (const json::value* m = o.if_contains("last_modified_ms"); m && !m->is_null()) {
    if (!m->is_int64()) return Corrupt("last_modified_ms");
    p.last_modified_ms = m->get_int64();
  }
  return p;
}

std::string FunctionScalingRecordKey(std::string_view function, std::string_view version) {
  return std::string(function) + ":" + std::string(version);
}

std::string EncodeFunctionScalingConfig(const domain::FunctionScalingConfig& config) {
  json::object o;
  if (config.min_execution_environments) {
    o["min_execution_environments"] = *config.min_execution_environments;
  }
  if (config.max_execution_environments) {
    o["max_execution_environments"] = *config.max_execution_environments;
  }
  return json::serialize(o);
}

Result<domain::FunctionScalingConfig> DecodeFunctionScalingConfig(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !v.is_object()) {
    return Error::Make(ErrorCode::kInternal, "stored function scaling config is corrupt");
  }
  domain::FunctionScalingConfig config;
  for (auto [key, out] :
       {std::pair{"min_execution_environments", &config.min_execution_environments},
        std::pair{"max_execution_environments", &config.max_execution_environments}}) {
    const json::value* n = v.get_object().if_contains(key);
    if (!n || n->is_null()) continue;
    if (!n->is_int64() || n->get_int64() < 0 || n->get_int64() > 15000) {
      return Error::Make(
          ErrorCode::kInternal,
          std::string("stored function scaling config is corrupt: bad value at '") + key + "'");
    }
    *out = static_cast<int>(n->get_int64());
  }
  return config;
}

}  // namespace lambdalite::storage
