#pragma once

// Capacity providers (Lambda Managed Instances). On AWS a capacity provider launches EC2
// instances in the customer's VPC that run the functions attached to it. lambdalite runs
// everything on one machine: a capacity provider is configuration only (stored, validated,
// returned as AWS does); no instance is launched, and functions attached to one still run in
// lambdalite's sandboxes.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/function.h"

namespace lambdalite::domain {

struct CapacityProviderScalingPolicy {
  std::string predefined_metric_type;
  double target_value = 0;
  friend bool operator==(const CapacityProviderScalingPolicy&,
                         const CapacityProviderScalingPolicy&) = default;
};

struct InstanceRequirements {
  std::optional<std::vector<std::string>> architectures;
  std::optional<std::vector<std::string>> allowed_instance_types;
  std::optional<std::vector<std::string>> excluded_instance_types;
  friend bool operator==(const InstanceRequirements&, const InstanceRequirements&) = default;
};

struct CapacityProviderScalingConfig {
  std::optional<int> max_vcpu_count;
  std::optional<std::string> scaling_mode;  // Auto | Manual
  std::optional<std::vector<CapacityProviderScalingPolicy>> scaling_policies;
  friend bool operator==(const CapacityProviderScalingConfig&,
                         const CapacityProviderScalingConfig&) = default;
};

struct CapacityProvider {
  std::string name;
  std::vector<std::string> subnet_ids;
  std::vector<std::string> security_group_ids;
  std::string operator_role_arn;
  std::optional<InstanceRequirements> instance_requirements;
  std::optional<CapacityProviderScalingConfig> scaling_config;
  std::optional<std::string> kms_key_arn;
  std::map<std::string, std::string> tags;
  int64_t last_modified_ms = 0;
  friend bool operator==(const CapacityProvider&, const CapacityProvider&) = default;
};

// The scaling of one version of a Managed Instances function (PutFunctionScalingConfig), both
// bounds 0..15000 (model). lambdalite applies it at once: applied == requested.
struct FunctionScalingConfig {
  std::optional<int> min_execution_environments;
  std::optional<int> max_execution_environments;
  friend bool operator==(const FunctionScalingConfig&, const FunctionScalingConfig&) = default;
};

// The states of the model's CapacityProviderState. lambdalite has nothing to provision, so a
// stored capacity provider is Active; the creating call answers Pending and the deleting call
// Deleting, as AWS's asynchronous (202) operations do.
enum class CapacityProviderState { kPending, kActive, kFailed, kDeleting };

constexpr std::string_view CapacityProviderStateName(CapacityProviderState state) {
  switch (state) {
    case CapacityProviderState::kPending:
      return "Pending";
    case CapacityProviderState::kActive:
      return "Active";
    case CapacityProviderState::kFailed:
      return "Failed";
    case CapacityProviderState::kDeleting:
      return "Deleting";
  }
  return "Active";
}

// arn:aws:lambda:<region>:<account>:capacity-provider:<name>
std::string CapacityProviderArn(const Scope& scope, std::string_view name);
// The name in a model-validated CapacityProviderName (a name or a full ARN), and whether the
// ARN's account and region are `scope`'s (a name always is).
struct CapacityProviderRef {
  std::string name;
  bool in_scope = true;
};
CapacityProviderRef ParseCapacityProviderName(const Scope& scope, std::string_view name_or_arn);

}  // namespace lambdalite::domain
