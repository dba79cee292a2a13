// FunctionService: tags.
#include <mutex>

#include "service/function_service.h"

namespace lambdalite::service {

using domain::Scope;

// --- tags ---------------------------------------------------------------------------------------

namespace {
// Tags live on the function; AWS takes its unqualified ARN as the resource.
Result<std::string> TagTarget(const Scope& scope, const std::string& resource_arn) {
  auto ref = domain::ParseFunctionName(resource_arn);
  if (!ref.ok() || !ref->region) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "An error occurred and the request cannot be processed.");
  }
  if (ref->qualifier) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "Tags on function aliases and versions are not supported. Please specify "
                       "a function ARN.");
  }
  LAMBDALITE_RETURN_IF_ERROR(domain::CheckScope(*ref, scope));
  return ref->name;
}

// A capacity-provider ARN (R_TAG's `capacity-provider:` form); its tags are kept with it
// (capacity_provider_ops.cc), and a missing one answers CP1.
bool IsCapacityProviderArn(const std::string& arn) {
  return arn.find(":capacity-provider:") != std::string::npos;
}
}  // namespace

Status FunctionService::TagResource(const Scope& scope, const std::string& resource_arn,
                                    const std::map<std::string, std::string>& tags) {
  if (IsCapacityProviderArn(resource_arn)) {
    LAMBDALITE_TRY(auto merged, CapacityProviderTags(scope, resource_arn));
    for (const auto& [k, v] : tags) merged[k] = v;
    if (merged.size() > 50) {
      return Error::Make(ErrorCode::kInvalidParameter,
                         "Number of tags exceeds resource tag limit.");
    }
    return SetCapacityProviderTags(scope, resource_arn, std::move(merged));
  }
  LAMBDALITE_TRY(auto name, TagTarget(scope, resource_arn));
  if (tags.empty()) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "An error occurred and the request cannot be processed.");
  }
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, name);
  if (!fn) {
    return Error::Make(ErrorCode::kNotFound,
                       "Function not found: " + domain::FunctionArn(scope, name));
  }
  auto merged = fn->meta.tags;
  for (const auto& [k, v] : tags) merged[k] = v;
  if (merged.size() > 50) {
    return Error::Make(ErrorCode::kInvalidParameter, "Number of tags exceeds resource tag limit.");
  }
  fn->meta.tags = std::move(merged);
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutFunctionMeta{scope, fn->meta});
  return CommitAndRelease(lock, std::move(batch));
}

Status FunctionService::UntagResource(const Scope& scope, const std::string& resource_arn,
                                      const std::vector<std::string>& keys) {
  if (IsCapacityProviderArn(resource_arn)) {
    LAMBDALITE_TRY(auto tags, CapacityProviderTags(scope, resource_arn));
    for (const auto& k : keys) tags.erase(k);
    return SetCapacityProviderTags(scope, resource_arn, std::move(tags));
  }
  LAMBDALITE_TRY(auto name, TagTarget(scope, resource_arn));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, name);
  if (!fn) {
    return Error::Make(ErrorCode::kNotFound,
                       "Function not found: " + domain::FunctionArn(scope, name));
  }
  for (const auto& k : keys) fn->meta.tags.erase(k);
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutFunctionMeta{scope, fn->meta});
  return CommitAndRelease(lock, std::move(batch));
}

Result<std::map<std::string, std::string>> FunctionService::ListTags(
    const Scope& scope, const std::string& resource_arn) const {
  if (IsCapacityProviderArn(resource_arn)) return CapacityProviderTags(scope, resource_arn);
  LAMBDALITE_TRY(auto name, TagTarget(scope, resource_arn));
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, name);
  if (!fn) {
    return Error::Make(ErrorCode::kNotFound,
                       "Function not found: " + domain::FunctionArn(scope, name));
  }
  return fn->meta.tags;
}

}  // namespace lambdalite::service
