#pragma once

// Code signing configurations, per-function runtime management, and the resource ARNs that
// TagResource / UntagResource / ListTags accept. Pure values and rules.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/function.h"

namespace lambdalite::domain {

inline constexpr std::string_view kCodeSigningEnforce = "Enforce";
inline constexpr std::string_view kCodeSigningWarn = "Warn";

// A code signing configuration (AWS::Lambda::CodeSigningConfig). Scoped to an account and
// region; its ARN is CodeSigningConfigArn(scope, id).
struct CodeSigningConfig {
  std::string id;  // "csc-" and 17 lower-case alphanumerics
  std::string description;
  std::vector<std::string> signing_profile_version_arns;
  std::string untrusted_artifact_on_deployment = std::string(kCodeSigningWarn);  // AWS default
  int64_t last_modified_ms = 0;
  std::map<std::string, std::string> tags;
  friend bool operator==(const CodeSigningConfig&, const CodeSigningConfig&) = default;
};

// "csc-" followed by 17 random lower-case hex digits (AWS: csc-0d4518bd353a0a7c6).
std::string NewCodeSigningConfigId();
std::string CodeSigningConfigArn(const Scope& scope, std::string_view id);

// The config id named by a CodeSigningConfigArn (the model has checked the pattern), or nullopt
// when the ARN names another account or region: such a config cannot exist for this caller.
std::optional<std::string> CodeSigningConfigIdInScope(std::string_view arn, const Scope& scope);

// PutRuntimeManagementConfig's value for one function version ($LATEST or a number).
struct RuntimeManagementConfig {
  std::string update_runtime_on = "Auto";  // Auto | FunctionUpdate | Manual
  // Only for Manual; AWS returns null for the other modes.
  std::optional<std::string> runtime_version_arn;
  friend bool operator==(const RuntimeManagementConfig&, const RuntimeManagementConfig&) = default;
};

// What a TagResource / UntagResource / ListTags `Resource` ARN names.
enum class TaggableKind {
  kFunction,
  kLayer,
  kCodeSigningConfig,
  kEventSourceMapping,
  kCapacityProvider
};

struct TaggableRef {
  TaggableKind kind = TaggableKind::kFunction;
  std::string account;
  std::string region;
  std::string id;  // function name, layer name, csc-..., ESM UUID, capacity provider name
  std::optional<std::string> qualifier;  // functions only
};

// Splits a taggable ARN (already checked against the model's pattern) into its parts; fails
// with kInvalidParameter on a form the pattern lets through that names nothing.
Result<TaggableRef> ParseTaggableArn(std::string_view arn);

}  // namespace lambdalite::domain
