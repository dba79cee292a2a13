#pragma once

// Lambda layers: a layer is a name with numbered, immutable versions (PublishLayerVersion), each
// holding one zip package that functions extract into /opt. Pure values and rules, no I/O.
//
// AWS semantics kept here (aws-lambda-behaviour-2.md section 2):
//   - version numbers per name only ever grow, also after every version was deleted (LY11);
//   - a deleted version cannot be referenced anew, but functions that reference it keep it;
//   - each version has its own resource policy (AddLayerVersionPermission), whose statements
//     grant lambda:GetLayerVersion or lambda:ListLayerVersions to an account, or to `*`, possibly
//     narrowed to an organization (rendered as a Condition on aws:PrincipalOrgID).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/function.h"
#include "domain/policy.h"

namespace lambdalite::domain {

inline constexpr int kMaxLayersPerFunction = 5;

struct LayerVersion {
  std::string name;
  int64_t version = 0;
  std::string description;                  // "" when not given (LY1)
  std::optional<std::string> license_info;  // no key when not given
  // Absent (no key in answers) when not given; LY5.
  std::optional<std::vector<std::string>> compatible_runtimes;
  std::optional<std::vector<std::string>> compatible_architectures;
  int64_t created_ms = 0;
  CodeInfo code;
  Policy policy;  // no statements: no policy
  friend bool operator==(const LayerVersion&, const LayerVersion&) = default;
};

// arn:aws:lambda:<region>:<account>:layer:<name> and ...:<version>.
std::string LayerArn(const Scope& scope, std::string_view name);
std::string LayerVersionArn(const Scope& scope, std::string_view name, int64_t version);

// A layer version ARN taken apart. Only the arn:aws...:lambda:<region>:<account>:layer:<n>:<v>
// form; the awslayer form (AWS-owned layers) is not one lambdalite can hold.
struct LayerVersionRef {
  Scope scope;
  std::string name;
  int64_t version = 0;
};
std::optional<LayerVersionRef> ParseLayerVersionArn(std::string_view arn);

// LayerName is a name or a layer ARN (model pattern); the name part of either. kNotFound-free:
// a layer ARN of another scope is the caller's problem (the service answers not found).
struct LayerNameRef {
  std::optional<Scope> scope;  // set when an ARN was given
  std::string name;
};
LayerNameRef ParseLayerName(std::string_view layer_name);

// Whether the version's policy lets `account` (or everyone) use it for `action`
// ("lambda:GetLayerVersion"). Organization-restricted statements do not match: lambdalite knows
// no organizations.
bool LayerPolicyAllows(const Policy& policy, std::string_view account, std::string_view action);

// The statement AddLayerVersionPermission adds: Principal "*" stays "*", an account id or root
// ARN becomes {"AWS":"arn:aws:iam::<account>:root"}; an organization id becomes
// Condition {"StringEquals":{"aws:PrincipalOrgID":<org>}} (research notes section 17).
PolicyStatement BuildLayerStatement(std::string sid, std::string_view action,
                                    std::string_view principal, std::string resource,
                                    const std::optional<std::string>& organization_id);

// Whether a version matches ListLayers/ListLayerVersions filters (unset filter = any). A version
// without a list matches no filter of that list (AWS lists only declared compatibility).
bool LayerMatches(const LayerVersion& v, const std::optional<std::string>& runtime,
                  const std::optional<std::string>& architecture);

}  // namespace lambdalite::domain
