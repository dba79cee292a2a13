// FunctionService: runtime management configs (Put/GetRuntimeManagementConfig), per function
// version. lambdalite runs one version of each runtime, so the mode changes no execution; it is
// stored, answered, and a Manual pin shows as the version's RuntimeVersionConfig.
#include <mutex>

#include "service/function_service.h"
#include "storage/code_signing_codec.h"

namespace lambdalite::service {

using domain::kLatest;
using domain::Scope;

namespace {

Error NotFound(const Scope& scope, const std::string& name,
               const std::optional<std::string>& qualifier) {
  return Error::Make(
      ErrorCode::kNotFound,
      "Function not found: " + (qualifier ? domain::QualifiedFunctionArn(scope, name, *qualifier)
                                          : domain::FunctionArn(scope, name)));
}

}  // namespace

Result<RuntimeManagementView> FunctionService::PutRuntimeManagementConfig(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier, domain::RuntimeManagementConfig config) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  if (config.update_runtime_on == "Manual" && !config.runtime_version_arn) {
    // Unrecorded wording (docs/research/aws-error-messages.md); AWS documents the rule only.
    return Error::Make(ErrorCode::kInvalidParameter,
                       "RuntimeVersionArn is required when UpdateRuntimeOn is Manual.");
  }
  // AWS returns null for the ARN in the other modes (GetRuntimeManagementConfig docs).
  if (config.update_runtime_on != "Manual") config.runtime_version_arn.reset();
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return NotFound(scope, t.name, t.qualifier);
  const std::string version = t.qualifier.value_or(std::string(kLatest));
  // $LATEST or a published version: an alias names no version of its own here.
  if (version != kLatest &&
      (!domain::IsVersionNumber(version) || !fn->versions.count(std::stoll(version)))) {
    return NotFound(scope, t.name, t.qualifier);
  }
  RuntimeManagementView view{config, t.qualifier
                                         ? domain::QualifiedFunctionArn(scope, t.name, version)
                                         : domain::FunctionArn(scope, t.name)};
  fn->runtime_management[version] = config;
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutRecord{scope, std::string(storage::kRuntimeManagementKind),
                                         t.name + ":" + version, t.name,
                                         storage::EncodeRuntimeManagement(config)});
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return view;
}

Result<RuntimeManagementView> FunctionService::GetRuntimeManagementConfig(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return NotFound(scope, t.name, t.qualifier);
  const std::string version = t.qualifier.value_or(std::string(kLatest));
  if (version != kLatest &&
      (!domain::IsVersionNumber(version) || !fn->versions.count(std::stoll(version)))) {
    return NotFound(scope, t.name, t.qualifier);
  }
  RuntimeManagementView view;
  if (auto it = fn->runtime_management.find(version); it != fn->runtime_management.end()) {
    view.config = it->second;
  }
  view.function_arn = t.qualifier ? domain::QualifiedFunctionArn(scope, t.name, version)
                                  : domain::FunctionArn(scope, t.name);
  return view;
}

}  // namespace lambdalite::service
