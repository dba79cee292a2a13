#include "api/capacity_provider_mapping.h"

#include "common/time_format.h"

namespace lambdalite::api {

domain::CapacityProviderScalingConfig ToScalingConfig(
    const shapes::CapacityProviderScalingConfig& in) {
  domain::CapacityProviderScalingConfig c;
  if (in.MaxVCpuCount) c.max_vcpu_count = static_cast<int>(*in.MaxVCpuCount);
  c.scaling_mode = in.ScalingMode;
  if (in.ScalingPolicies) {
    c.scaling_policies.emplace();
    for (const auto& p : *in.ScalingPolicies) {
      c.scaling_policies->push_back({p.PredefinedMetricType, p.TargetValue});
    }
  }
  return c;
}

domain::CapacityProvider ToCapacityProvider(const shapes::CreateCapacityProviderRequest& in) {
  domain::CapacityProvider p;
  p.subnet_ids = in.VpcConfig.SubnetIds;
  p.security_group_ids = in.VpcConfig.SecurityGroupIds;
  p.operator_role_arn = in.PermissionsConfig.CapacityProviderOperatorRoleArn;
  if (in.InstanceRequirements) {
    const auto& ir = *in.InstanceRequirements;
    p.instance_requirements = domain::InstanceRequirements{
        ir.Architectures, ir.AllowedInstanceTypes, ir.ExcludedInstanceTypes};
  }
  if (in.CapacityProviderScalingConfig) {
    p.scaling_config = ToScalingConfig(*in.CapacityProviderScalingConfig);
  }
  p.kms_key_arn = in.KmsKeyArn;
  if (in.Tags) p.tags = *in.Tags;
  return p;
}

std::optional<domain::CapacityProviderState> ToCapacityProviderState(
    const std::optional<std::string>& state) {
  if (!state) return std::nullopt;
  for (auto st :
       {domain::CapacityProviderState::kPending, domain::CapacityProviderState::kActive,
        domain::CapacityProviderState::kFailed, domain::CapacityProviderState::kDeleting}) {
    if (*state == domain::CapacityProviderStateName(st)) return st;
  }
  return std::nullopt;
}

shapes::CapacityProvider ToCapacityProviderShape(const service::CapacityProviderView& view) {
  const domain::CapacityProvider& p = view.provider;
  shapes::CapacityProvider out;
  out.CapacityProviderArn = view.arn;
  out.State = std::string(domain::CapacityProviderStateName(view.state));
  out.VpcConfig.SubnetIds = p.subnet_ids;
  out.VpcConfig.SecurityGroupIds = p.security_group_ids;
  out.PermissionsConfig.CapacityProviderOperatorRoleArn = p.operator_role_arn;
  if (p.instance_requirements) {
    const auto& r = *p.instance_requirements;
    out.InstanceRequirements.emplace();
    out.InstanceRequirements->Architectures = r.architectures;
    out.InstanceRequirements->AllowedInstanceTypes = r.allowed_instance_types;
    out.InstanceRequirements->ExcludedInstanceTypes = r.excluded_instance_types;
  }
  if (p.scaling_config) {
    const auto& c = *p.scaling_config;
    auto& sc = out.CapacityProviderScalingConfig.emplace();
    sc.MaxVCpuCount = c.max_vcpu_count;
    sc.ScalingMode = c.scaling_mode;
    if (c.scaling_policies) {
      sc.ScalingPolicies.emplace();
      for (const auto& pol : *c.scaling_policies) {
        shapes::TargetTrackingScalingPolicy s;
        s.PredefinedMetricType = pol.predefined_metric_type;
        s.TargetValue = pol.target_value;
        sc.ScalingPolicies->push_back(std::move(s));
      }
    }
  }
  out.KmsKeyArn = p.kms_key_arn;
  out.LastModified = FormatLambdaTimestamp(p.last_modified_ms);
  return out;
}

domain::FunctionScalingConfig ToFunctionScalingConfig(const shapes::FunctionScalingConfig& in) {
  return domain::FunctionScalingConfig{in.MinExecutionEnvironments, in.MaxExecutionEnvironments};
}

shapes::FunctionScalingConfig ToFunctionScalingConfigShape(const domain::FunctionScalingConfig& c) {
  shapes::FunctionScalingConfig out;
  out.MinExecutionEnvironments = c.min_execution_environments;
  out.MaxExecutionEnvironments = c.max_execution_environments;
  return out;
}

}  // namespace lambdalite::api
