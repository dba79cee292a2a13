// FunctionService: function scaling configs (Put/GetFunctionScalingConfig) of Lambda Managed
// Instances function versions. lambdalite runs no instances, so a config is stored and answered
// (applied at once) and changes no execution. The refusal of a function without a capacity
// provider config is AWS's as quoted from a live probe (go-to-k/cdkd#1616); the other texts are
// unrecorded (docs/research/aws-error-messages.md section 22).
#include <mutex>

#include "service/function_service.h"
#include "storage/capacity_provider_codec.h"
#include "storage/codec.h"

namespace lambdalite::service {

using domain::Scope;

namespace {

Error VersionNotFound(const Scope& scope, const std::string& name, const std::string& version) {
  return Error::Make(ErrorCode::kNotFound,
                     "Function not found: " + domain::QualifiedFunctionArn(scope, name, version));
}

}  // namespace

Status FunctionService::CheckScalableLocked(const Scope& scope, const std::string& name,
                                            const FunctionState* fn,
                                            const std::string& version) const {
  if (!fn) return VersionNotFound(scope, name, version);
  VersionPtr v = domain::IsVersionNumber(version) || version == domain::kLatestPublished
                     ? SelectLocked(*fn, version)
                     : nullptr;
  if (!v) return VersionNotFound(scope, name, version);
  if (!v->config.capacity_provider) {
    return Error::Make(ErrorCode::kAccessDenied,
                       "The function provided by the arn does not contain a capacity provider "
                       "configuration");
  }
  return Status::Ok();
}

Result<std::string> FunctionService::PutFunctionScalingConfig(
    const Scope& scope, const std::string& function_name, const std::string& qualifier,
    const domain::FunctionScalingConfig& config) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  const std::string version = t.qualifier.value_or(qualifier);
  if (config.min_execution_environments && config.max_execution_environments &&
      *config.min_execution_environments > *config.max_execution_environments) {
    // Unrecorded wording (section 22).
    return Error::Make(ErrorCode::kInvalidParameter,
                       "MinExecutionEnvironments must be less than or equal to "
                       "MaxExecutionEnvironments.");
  }
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  LAMBDALITE_RETURN_IF_ERROR(CheckScalableLocked(scope, t.name, fn, version));
  fn->scaling[version] = config;
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutRecord{scope, std::string(storage::kFunctionScalingRecordKind),
                                         storage::FunctionScalingRecordKey(t.name, version), t.name,
                                         storage::EncodeFunctionScalingConfig(config)});
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  // A published version is settled at once here.
  return std::string("Active");
}

Result<FunctionScalingView> FunctionService::GetFunctionScalingConfig(
    const Scope& scope, const std::string& function_name, const std::string& qualifier) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  const std::string version = t.qualifier.value_or(qualifier);
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  LAMBDALITE_RETURN_IF_ERROR(CheckScalableLocked(scope, t.name, fn, version));
  FunctionScalingView view;
  view.function_arn = domain::QualifiedFunctionArn(scope, t.name, version);
  if (auto it = fn->scaling.find(version); it != fn->scaling.end()) view.config = it->second;
  return view;
}

void FunctionService::DropFunctionScalingLocked(const Scope& scope, const std::string& name,
                                                FunctionState& fn, const std::string& version,
                                                storage::WriteBatch& batch) {
  if (fn.scaling.erase(version) == 0) return;
  batch.ops.push_back(storage::DeleteRecord{scope, std::string(storage::kFunctionScalingRecordKind),
                                            storage::FunctionScalingRecordKey(name, version)});
}

Status FunctionService::LoadFunctionScalingLocked(const storage::StoredRecord& record) {
  FunctionState* fn = FindLocked(record.scope, record.owner_function);
  if (!fn) return Status::Ok();  // the store removes a function's records with it
  const std::string prefix = record.owner_function + ":";
  if (record.key.rfind(prefix, 0) != 0) {
    return Error::Make(ErrorCode::kInternal,
                       "storage: corrupt function scaling key: " + record.key);
  }
  LAMBDALITE_TRY(auto config, storage::DecodeFunctionScalingConfig(record.body));
  fn->scaling[record.key.substr(prefix.size())] = config;
  return Status::Ok();
}

Status FunctionService::LoadLatestPublishedLocked(const storage::StoredRecord& record) {
  FunctionState* fn = FindLocked(record.scope, record.owner_function);
  if (!fn) return Status::Ok();  // the store removes a function's records with it
  LAMBDALITE_TRY(auto version, storage::DecodeFunctionVersion(record.body));
  fn->latest_published = std::make_shared<domain::FunctionVersion>(std::move(version));
  return Status::Ok();
}

}  // namespace lambdalite::service
