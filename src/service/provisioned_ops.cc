// FunctionService: provisioned concurrency configs (Put/Get/Delete/ListProvisionedConcurrency
// Config). Answers follow aws-lambda-behaviour-2.md section 4 (PC1..PC35); the executor keeps the
// environments (ProvisionedConcurrencyListener) and reports progress (ReportProvisioned).
#include <algorithm>
#include <mutex>

#include "service/function_service.h"
#include "service/paging.h"
#include "storage/provisioned_codec.h"

namespace lambdalite::service {

using domain::Scope;

namespace {

Error InvalidParam(std::string message) {
  return Error::Make(ErrorCode::kInvalidParameter, std::move(message));
}

// PC15, PC20 (Get and Delete); Put words it differently (PC26).
Error NotAliasOrVersion() {
  return InvalidParam("The function resource provided must be an alias or a published version.");
}

// PC9: its own error type, with a lower-case "message".
Error ConfigNotFound() {
  return Error::Make(ErrorCode::kNotFound,
                     "No Provisioned Concurrency Config found for this function",
                     "ProvisionedConcurrencyConfigNotFoundException");
}

// PC12..PC14, PC23: a numeric qualifier names a version, any other an alias, whether or not the
// function exists.
Error QualifierNotFound(const Scope& scope, const std::string& name, const std::string& q) {
  const std::string arn = domain::QualifiedFunctionArn(scope, name, q);
  return Error::Make(ErrorCode::kNotFound, domain::IsVersionNumber(q)
                                               ? "Function not found: " + arn
                                               : "Cannot find alias arn: " + arn);
}

storage::PutRecord ProvisionedPut(const Scope& scope, const std::string& name,
                                  const domain::ProvisionedConcurrencyConfig& config) {
  return storage::PutRecord{scope, std::string(storage::kProvisionedRecordKind),
                            storage::ProvisionedRecordKey(name, config.qualifier), name,
                            storage::EncodeProvisioned(config)};
}

}  // namespace

Result<ProvisionedConfigView> FunctionService::PutProvisionedConcurrencyConfig(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier, int requested) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  if (!t.qualifier || *t.qualifier == domain::kLatest) {  // PC26
    return InvalidParam(
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
  }
  const std::string q = *t.qualifier;
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn || !QualifierExistsLocked(*fn, q)) return QualifierNotFound(scope, t.name, q);
  if (auto alias = fn->aliases.find(q); alias != fn->aliases.end()) {
    // Not recorded; the text is AWS's as quoted in hashicorp/terraform#24957.
    if (!alias->second.routing_weights.empty()) {
      return InvalidParam("Alias with weights can not be used with Provisioned Concurrency");
    }
    if (fn->provisioned.count(alias->second.function_version)) {  // PC27
      return Error::Make(ErrorCode::kConflict,
                         "Alias can't be used for Provisioned Concurrency configuration on an "
                         "already Provisioned version");
    }
  }
  auto existing = fn->provisioned.find(q);
  const int old = existing == fn->provisioned.end() ? 0 : existing->second.requested;
  int own_total = 0;
  for (const auto& [k, config] : fn->provisioned) own_total += config.requested;
  if (fn->meta.reserved_concurrency) {
    // Carved from the reservation (PC35).
    if (own_total - old + requested > *fn->meta.reserved_concurrency) {
      return InvalidParam(
          "Requested Provisioned Concurrency should not be greater than the "
          "reservedConcurrentExecution for function");
    }
  } else {
    // Carved from the account's unreserved pool, which keeps its minimum (PC29).
    const int unreserved = limits_.account_concurrency - (ReservedSumLocked(scope) - old);
    if (requested > unreserved) {
      return InvalidParam(
                 "Specified ConcurrentExecutions for function is greater than account's "
                 "unreserved concurrency [" +
                 std::to_string(unreserved) + "].")
          .WithoutType();
    }
    if (unreserved - requested < limits_.min_unreserved_concurrency) {
      return InvalidParam(
                 "Specified ConcurrentExecutions for function decreases account's "
                 "UnreservedConcurrentExecution below its minimum value of [" +
                 std::to_string(limits_.min_unreserved_concurrency) + "].")
          .WithoutType();
    }
  }
  domain::ProvisionedConcurrencyConfig config;
  config.qualifier = q;
  config.requested = requested;
  config.last_modified_ms = clock_.NowMillis();
  if (existing != fn->provisioned.end()) {
    // The environments already up stay (a shrink keeps `requested` of them).
    config.allocated = std::min(existing->second.allocated, requested);
    config.available = std::min(existing->second.available, requested);
  }
  fn->provisioned[q] = config;
  RecountReservedLocked(scope);
  storage::WriteBatch batch;
  batch.ops.push_back(ProvisionedPut(scope, t.name, config));
  ProvisionedConfigView view{config, domain::QualifiedFunctionArn(scope, t.name, q)};
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  SyncProvisioned(scope, t.name, {q});
  return view;
}

Result<ProvisionedConfigView> FunctionService::GetProvisionedConcurrencyConfig(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  if (!t.qualifier || *t.qualifier == domain::kLatest) return NotAliasOrVersion();  // PC15
  const std::string q = *t.qualifier;
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  if (!fn || !QualifierExistsLocked(*fn, q)) return QualifierNotFound(scope, t.name, q);
  auto it = fn->provisioned.find(q);
  if (it == fn->provisioned.end()) return ConfigNotFound();  // PC9
  return ProvisionedConfigView{it->second, domain::QualifiedFunctionArn(scope, t.name, q)};
}

Status FunctionService::DeleteProvisionedConcurrencyConfig(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  if (!t.qualifier || *t.qualifier == domain::kLatest) return NotAliasOrVersion();  // PC20
  const std::string q = *t.qualifier;
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn || !QualifierExistsLocked(*fn, q)) return QualifierNotFound(scope, t.name, q);
  storage::WriteBatch batch;
  if (!DropProvisionedLocked(scope, t.name, *fn, q, batch)) return Status::Ok();  // PC8
  RecountReservedLocked(scope);
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  SyncProvisioned(scope, t.name, {q});
  return Status::Ok();
}

Result<Page<ProvisionedConfigView>> FunctionService::ListProvisionedConcurrencyConfigs(
    const Scope& scope, const std::string& function_name, const std::optional<std::string>& marker,
    int max_items) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::vector<ProvisionedConfigView> all;
  {
    std::shared_lock lock(mu_);
    const FunctionState* fn = FindLocked(scope, t.name);
    if (!fn) {  // PC16
      return Error::Make(ErrorCode::kNotFound,
                         "Function not found: " + domain::FunctionArn(scope, t.name));
    }
    for (const auto& [q, config] : fn->provisioned) {
      all.push_back({config, domain::QualifiedFunctionArn(scope, t.name, q)});
    }
  }
  return Paginate(std::move(all), marker, max_items,
                  [](const ProvisionedConfigView& v) { return v.config.qualifier; });
}

bool FunctionService::DropProvisionedLocked(const Scope& scope, const std::string& name,
                                            FunctionState& fn, const std::string& qualifier,
                                            storage::WriteBatch& batch) {
  if (fn.provisioned.erase(qualifier) == 0) return false;
  batch.ops.push_back(storage::DeleteRecord{scope, std::string(storage::kProvisionedRecordKind),
                                            storage::ProvisionedRecordKey(name, qualifier)});
  return true;
}

Status FunctionService::LoadProvisionedLocked(const storage::StoredRecord& record) {
  FunctionState* fn = FindLocked(record.scope, record.owner_function);
  if (!fn) return Status::Ok();  // the store removes a function's records with it
  LAMBDALITE_TRY(domain::ProvisionedConcurrencyConfig config,
                 storage::DecodeProvisioned(record.body));
  std::string q = config.qualifier;
  fn->provisioned[q] = std::move(config);
  return Status::Ok();
}

void FunctionService::SyncProvisioned(const Scope& scope, const std::string& name,
                                      const std::vector<std::string>& qualifiers) {
  if (provisioned_listener_ == nullptr || qualifiers.empty()) return;
  std::lock_guard order(provision_mu_);
  for (const std::string& q : qualifiers) {
    VersionPtr version;
    int count = 0;
    {
      std::shared_lock lock(mu_);
      const FunctionState* fn = FindLocked(scope, name);
      if (fn) {
        auto it = fn->provisioned.find(q);
        if (it != fn->provisioned.end()) {
          version = SelectLocked(*fn, q);
          if (version) count = it->second.requested;
        }
      }
    }
    if (!version) count = 0;
    provisioned_listener_->Provision(scope, name, q, version, count);
  }
}

void FunctionService::StartProvisioned() {
  std::vector<std::pair<Scope, std::pair<std::string, std::string>>> all;
  {
    std::shared_lock lock(mu_);
    for (const auto& [scope, functions] : functions_) {
      for (const auto& [name, fn] : functions) {
        for (const auto& [q, config] : fn.provisioned) all.push_back({scope, {name, q}});
      }
    }
  }
  for (const auto& [scope, target] : all) SyncProvisioned(scope, target.first, {target.second});
}

void FunctionService::ReportProvisioned(const Scope& scope, const std::string& function,
                                        const std::string& qualifier, const std::string& version,
                                        int allocated, bool failed) {
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, function);
  if (!fn) return;
  auto it = fn->provisioned.find(qualifier);
  if (it == fn->provisioned.end()) return;
  VersionPtr target = SelectLocked(*fn, qualifier);
  if (!target || target->version != version) return;  // the alias moved meanwhile
  domain::ProvisionedConcurrencyConfig& config = it->second;
  if (failed) {
    config.status = domain::kProvisionedFailed;
    config.status_reason = domain::kProvisionedInitFailure;
    config.allocated = 0;
    config.available = 0;
    return;
  }
  config.allocated = std::min(allocated, config.requested);
  config.available = config.allocated;
  if (config.allocated >= config.requested) {
    config.status = domain::kProvisionedReady;
    config.status_reason.clear();
  }
}

}  // namespace lambdalite::service
