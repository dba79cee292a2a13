// FunctionService: aliases.
#include <mutex>

#include "common/ids.h"
#include "service/function_service.h"
#include "service/paging.h"

namespace lambdalite::service {

using domain::Scope;

namespace {

Error AliasNotFound(const Scope& scope, std::string_view fn, std::string_view alias) {
  return Error::Make(ErrorCode::kNotFound,
                     "Cannot find alias arn: " + domain::QualifiedFunctionArn(scope, fn, alias));
}

// Routing rules AWS enforces beyond the model's constraints (recorded answers).
Status CheckRouting(const domain::Alias& alias) {
  if (alias.routing_weights.empty()) return Status::Ok();
  if (alias.routing_weights.size() > 1) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "Number of items in AdditionalVersionWeights cannot be greater than 1");
  }
  if (alias.function_version == domain::kLatest) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "$LATEST is not supported for an alias pointing to more than 1 version")
        .WithoutType();
  }
  const std::string& extra = alias.routing_weights.begin()->first;
  if (extra == alias.function_version) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "Invalid function version " + extra + ". Function version " + extra +
                           " is already included in routing configuration.");
  }
  return Status::Ok();
}

}  // namespace

Result<domain::Alias> FunctionService::CreateAlias(const Scope& scope,
                                                   const std::string& function_name,
                                                   const std::string& alias_name, AliasInput in) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) {
    // AWS names the requested version here (recorded: "Function not found: <arn>:1").
    return Error::Make(
        ErrorCode::kNotFound,
        "Function not found: " +
            domain::QualifiedFunctionArn(
                scope, t.name, in.function_version.value_or(std::string(domain::kLatest))));
  }
  if (fn->aliases.count(alias_name)) {
    return Error::Make(
        ErrorCode::kConflict,
        "Alias already exists: " + domain::QualifiedFunctionArn(scope, t.name, alias_name));
  }
  domain::Alias alias;
  alias.name = alias_name;
  alias.function_version = in.function_version.value_or(std::string(domain::kLatest));
  alias.description = in.description.value_or("");
  if (in.routing_weights) alias.routing_weights = *in.routing_weights;
  LAMBDALITE_RETURN_IF_ERROR(CheckRouting(alias));
  // An alias must point at versions that exist (AWS: "Function not found: <arn>:<version>").
  for (const auto& v : [&] {
         std::vector<std::string> all{alias.function_version};
         for (const auto& [k, w] : alias.routing_weights) all.push_back(k);
         return all;
       }()) {
    if (!QualifierExistsLocked(*fn, v) || (!domain::IsVersionNumber(v) && v != domain::kLatest)) {
      return Error::Make(ErrorCode::kNotFound,
                         "Function not found: " + domain::QualifiedFunctionArn(scope, t.name, v));
    }
  }
  alias.revision_id = NewUuid();
  fn->aliases[alias_name] = alias;
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutAlias{scope, t.name, alias});
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return alias;
}

Result<domain::Alias> FunctionService::GetAlias(const Scope& scope,
                                                const std::string& function_name,
                                                const std::string& alias_name) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return AliasNotFound(scope, t.name, alias_name);
  auto it = fn->aliases.find(alias_name);
  if (it == fn->aliases.end()) return AliasNotFound(scope, t.name, alias_name);
  return it->second;
}

Result<domain::Alias> FunctionService::UpdateAlias(const Scope& scope,
                                                   const std::string& function_name,
                                                   const std::string& alias_name, AliasInput in) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  // UpdateAlias words it differently from GetAlias ("Alias not found: <arn>").
  auto missing = [&] {
    return Error::Make(ErrorCode::kNotFound, "Alias not found: " + domain::QualifiedFunctionArn(
                                                                       scope, t.name, alias_name));
  };
  if (!fn) return missing();
  auto it = fn->aliases.find(alias_name);
  if (it == fn->aliases.end()) return missing();
  if (in.revision_id && *in.revision_id != it->second.revision_id) {
    return Error::Make(ErrorCode::kPreconditionFailed,
                       "The Revision Id provided does not match the latest Revision Id. Call the "
                       "GetFunction/GetAlias API to retrieve the latest Revision Id");
  }
  domain::Alias alias = it->second;
  if (in.function_version) alias.function_version = *in.function_version;
  if (in.description) alias.description = *in.description;
  if (in.routing_weights) alias.routing_weights = *in.routing_weights;
  LAMBDALITE_RETURN_IF_ERROR(CheckRouting(alias));
  std::vector<std::string> targets{alias.function_version};
  for (const auto& [k, w] : alias.routing_weights) targets.push_back(k);
  for (const auto& v : targets) {
    if (!QualifierExistsLocked(*fn, v) || (!domain::IsVersionNumber(v) && v != domain::kLatest)) {
      return Error::Make(ErrorCode::kNotFound,
                         "Function not found: " + domain::QualifiedFunctionArn(scope, t.name, v));
    }
  }
  alias.revision_id = NewUuid();
  // A provisioned alias moved to another version: AWS allocates the new version's environments
  // (IN_PROGRESS until they are up) and releases the old ones.
  auto provisioned = fn->provisioned.find(alias_name);
  const bool moved =
      provisioned != fn->provisioned.end() && alias.function_version != it->second.function_version;
  if (moved) {
    provisioned->second.status = domain::kProvisionedInProgress;
    provisioned->second.status_reason.clear();
    provisioned->second.allocated = 0;
    provisioned->second.available = 0;
  }
  it->second = alias;
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutAlias{scope, t.name, alias});
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  if (moved) SyncProvisioned(scope, t.name, {alias_name});
  return alias;
}

Status FunctionService::DeleteAlias(const Scope& scope, const std::string& function_name,
                                    const std::string& alias_name) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) {
    return Error::Make(ErrorCode::kNotFound,
                       "Function not found: " + domain::FunctionArn(scope, t.name));
  }
  // Deleting an alias that does not exist succeeds, like deleting a missing version.
  if (fn->aliases.erase(alias_name) == 0) return Status::Ok();
  storage::WriteBatch batch;
  batch.ops.push_back(storage::DeleteAlias{scope, t.name, alias_name});
  if (fn->event_invoke_configs.erase(alias_name) > 0) {
    batch.ops.push_back(storage::DeleteEventInvokeConfig{scope, t.name, alias_name});
  }
  DropPolicyLocked(scope, t.name, *fn, alias_name, batch);
  DropUrlLocked(scope, t.name, *fn, alias_name, batch);
  const bool provisioned = DropProvisionedLocked(scope, t.name, *fn, alias_name, batch);
  if (provisioned) RecountReservedLocked(scope);
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  if (provisioned) SyncProvisioned(scope, t.name, {alias_name});  // PC11
  return Status::Ok();
}

Result<Page<domain::Alias>> FunctionService::ListAliases(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& function_version, const std::optional<std::string>& marker,
    int max_items) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::vector<domain::Alias> all;
  {
    std::shared_lock lock(mu_);
    const FunctionState* fn = FindLocked(scope, t.name);
    if (!fn) {
      return Error::Make(ErrorCode::kNotFound,
                         "Function not found: " + domain::FunctionArn(scope, t.name));
    }
    for (const auto& [name, alias] : fn->aliases) {
      if (!function_version || alias.function_version == *function_version) all.push_back(alias);
    }
  }
  return Paginate(std::move(all), marker, max_items, [](const domain::Alias& a) { return a.name; });
}

}  // namespace lambdalite::service
