// Capacity-provider operations: the model's shapes <-> domain::CapacityProvider. The decoder has
// validated every member against the model (required, lengths, ranges, enums, patterns).
#include "api/operations/capacity_providers.h"

#include "api/mapping.h"
#include "common/time_format.h"

namespace lambdalite::api {

namespace json = boost::json;

namespace {

std::vector<std::string> Strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::value* v = o.if_contains(key); v && v->is_array()) {
    for (const json::value& e : v->get_array()) {
      if (e.is_string()) out.emplace_back(e.get_string());
    }
  }
  return out;
}

std::optional<std::vector<std::string>> OptStrings(const json::object& o, std::string_view key) {
  if (!o.if_contains(key)) return std::nullopt;
  return Strings(o, key);
}

json::array ToArray(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

domain::CapacityProviderScalingConfig ToScalingConfig(const json::object& o) {
  domain::CapacityProviderScalingConfig c;
  if (auto n = GetInt(o, "MaxVCpuCount")) c.max_vcpu_count = static_cast<int>(*n);
  c.scaling_mode = GetString(o, "ScalingMode");
  if (const json::value* v = o.if_contains("ScalingPolicies"); v && v->is_array()) {
    c.scaling_policies.emplace();
    for (const json::value& e : v->get_array()) {
      if (!e.is_object()) continue;
      domain::CapacityProviderScalingPolicy p;
      p.predefined_metric_type = GetString(e.get_object(), "PredefinedMetricType").value_or("");
      if (const json::value* t = e.get_object().if_contains("TargetValue"); t && t->is_number()) {
        p.target_value = t->to_number<double>();
      }
      c.scaling_policies->push_back(std::move(p));
    }
  }
  return c;
}

domain::CapacityProvider ToCapacityProvider(const json::object& in) {
  domain::CapacityProvider p;
  if (const json::object* vpc = GetObject(in, "VpcConfig")) {
    p.subnet_ids = Strings(*vpc, "SubnetIds");
    p.security_group_ids = Strings(*vpc, "SecurityGroupIds");
  }
  if (const json::object* perms = GetObject(in, "PermissionsConfig")) {
    p.operator_role_arn = GetString(*perms, "CapacityProviderOperatorRoleArn").value_or("");
  }
  if (const json::object* ir = GetObject(in, "InstanceRequirements")) {
    domain::InstanceRequirements r;
    r.architectures = OptStrings(*ir, "Architectures");
    r.allowed_instance_types = OptStrings(*ir, "AllowedInstanceTypes");
    r.excluded_instance_types = OptStrings(*ir, "ExcludedInstanceTypes");
    p.instance_requirements = std::move(r);
  }
  if (const json::object* sc = GetObject(in, "CapacityProviderScalingConfig")) {
    p.scaling_config = ToScalingConfig(*sc);
  }
  p.kms_key_arn = GetString(in, "KmsKeyArn");
  p.tags = GetStringMap(in, "Tags");
  return p;
}

json::object ToJson(const service::CapacityProviderView& view) {
  const domain::CapacityProvider& p = view.provider;
  json::object o;
  o["CapacityProviderArn"] = view.arn;
  const std::string_view state = domain::CapacityProviderStateName(view.state);
  o["State"] = json::string(state.data(), state.size());
  o["VpcConfig"] = json::object{{"SubnetIds", ToArray(p.subnet_ids)},
                                {"SecurityGroupIds", ToArray(p.security_group_ids)}};
  o["PermissionsConfig"] = json::object{{"CapacityProviderOperatorRoleArn", p.operator_role_arn}};
  if (p.instance_requirements) {
    json::object ir;
    const auto& r = *p.instance_requirements;
    if (r.architectures) ir["Architectures"] = ToArray(*r.architectures);
    if (r.allowed_instance_types) ir["AllowedInstanceTypes"] = ToArray(*r.allowed_instance_types);
    if (r.excluded_instance_types) {
      ir["ExcludedInstanceTypes"] = ToArray(*r.excluded_instance_types);
    }
    o["InstanceRequirements"] = std::move(ir);
  }
  if (p.scaling_config) {
    json::object sc;
    const auto& c = *p.scaling_config;
    if (c.max_vcpu_count) sc["MaxVCpuCount"] = *c.max_vcpu_count;
    if (c.scaling_mode) sc["ScalingMode"] = *c.scaling_mode;
    if (c.scaling_policies) {
      json::array policies;
      for (const auto& pol : *c.scaling_policies) {
        policies.push_back(json::object{{"PredefinedMetricType", pol.predefined_metric_type},
                                        {"TargetValue", pol.target_value}});
      }
      sc["ScalingPolicies"] = std::move(policies);
    }
    o["CapacityProviderScalingConfig"] = std::move(sc);
  }
  if (p.kms_key_arn) o["KmsKeyArn"] = *p.kms_key_arn;
  o["LastModified"] = FormatLambdaTimestamp(p.last_modified_ms);
  return o;
}

Reply One(const service::CapacityProviderView& view) {
  Reply r;
  r.json = json::object{{"CapacityProvider", ToJson(view)}};
  return r;
}

std::string Name(const json::object& in) {
  return GetString(in, "CapacityProviderName").value_or("");
}

int MaxItems(const json::object& in) {
  return static_cast<int>(GetInt(in, "MaxItems").value_or(50));
}

}  // namespace

void RegisterCapacityProviders(LambdaApi& api, service::FunctionService& fs) {
  api.Register("CreateCapacityProvider",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto view, fs.CreateCapacityProvider(ctx.scope, Name(in),
                                                                     ToCapacityProvider(in)));
                 return One(view);
               });
  api.Register("GetCapacityProvider",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto view, fs.GetCapacityProvider(ctx.scope, Name(in)));
                 return One(view);
               });
  api.Register("UpdateCapacityProvider",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 std::optional<domain::CapacityProviderScalingConfig> scaling;
                 if (const json::object* sc = GetObject(in, "CapacityProviderScalingConfig")) {
                   scaling = ToScalingConfig(*sc);
                 }
                 LAMBDALITE_TRY(auto view, fs.UpdateCapacityProvider(ctx.scope, Name(in), scaling));
                 return One(view);
               });
  api.Register("DeleteCapacityProvider",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto view, fs.DeleteCapacityProvider(ctx.scope, Name(in)));
                 return One(view);
               });
  api.Register(
      "ListCapacityProviders",
      [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
        std::optional<domain::CapacityProviderState> state;
        if (auto s = GetString(in, "State")) {
          for (auto st :
               {domain::CapacityProviderState::kPending, domain::CapacityProviderState::kActive,
                domain::CapacityProviderState::kFailed, domain::CapacityProviderState::kDeleting}) {
            if (*s == domain::CapacityProviderStateName(st)) state = st;
          }
        }
        LAMBDALITE_TRY(auto page, fs.ListCapacityProviders(ctx.scope, state,
                                                           GetString(in, "Marker"), MaxItems(in)));
        json::array items;
        for (const auto& v : page.items) items.push_back(ToJson(v));
        json::object out{{"CapacityProviders", std::move(items)}};
        if (page.next_marker) out["NextMarker"] = *page.next_marker;
        Reply r;
        r.json = std::move(out);
        return r;
      });
  api.Register(
      "ListFunctionVersionsByCapacityProvider",
      [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
        LAMBDALITE_TRY(auto view, fs.GetCapacityProvider(ctx.scope, Name(in)));
        LAMBDALITE_TRY(auto page, fs.ListFunctionVersionsByCapacityProvider(
                                      ctx.scope, Name(in), GetString(in, "Marker"), MaxItems(in)));
        json::array items;
        for (const auto& arn : page.items) {
          items.push_back(json::object{{"FunctionArn", arn}, {"State", "Active"}});
        }
        json::object out{{"CapacityProviderArn", view.arn}, {"FunctionVersions", std::move(items)}};
        if (page.next_marker) out["NextMarker"] = *page.next_marker;
        Reply r;
        r.json = std::move(out);
        return r;
      });
}

}  // namespace lambdalite::api
