// FunctionService: capacity providers (Create/Get/List/Update/Delete CapacityProvider,
// ListFunctionVersionsByCapacityProvider) and their TagHandler for the tag operations.
// Configuration only: lambdalite launches no instances (domain/capacity_provider.h). The not-found
// text is the recorded tag answer (CP1); the rest is unrecorded
// (docs/research/aws-error-messages.md).
#include <mutex>

#include "service/function_service.h"
#include "service/paging.h"
#include "storage/capacity_provider_codec.h"

namespace lambdalite::service {

using domain::Scope;

namespace {

Error NotFound(const Scope& scope, const domain::CapacityProviderRef& ref,
               const std::string& given) {
  // An ARN of another account or region names nothing here; AWS quotes the ARN it looked up.
  const std::string arn = ref.in_scope || given.rfind("arn:", 0) != 0
                              ? domain::CapacityProviderArn(scope, ref.name)
                              : given;
  return Error::Make(ErrorCode::kNotFound, "Capacity provider not found: " + arn);
}

storage::WriteOp Write(const Scope& scope, const domain::CapacityProvider* provider,
                       const std::string& name) {
  const std::string kind(storage::kCapacityProviderRecordKind);
  if (!provider) return storage::DeleteRecord{scope, kind, name};
  return storage::PutRecord{scope, kind, name, "", storage::EncodeCapacityProvider(*provider)};
}

// Every published version of `scope` (and $LATEST too with `with_latest`) whose config names the
// provider `arn`, as qualified ARNs in function then version order (lock held by the caller).
// AWS provisions a Managed Instances function only when a version is published, so the listing
// shows published versions; any version, $LATEST included, keeps the provider from deletion.
template <class Functions>
std::vector<std::string> VersionsUsing(const Scope& scope, const Functions& functions,
                                       const std::string& arn, bool with_latest) {
  std::vector<std::string> out;
  auto uses = [&](const domain::FunctionVersion& v) {
    return v.config.capacity_provider && v.config.capacity_provider->capacity_provider_arn == arn;
  };
  auto s = functions.find(scope);
  if (s == functions.end()) return out;
  for (const auto& [name, fn] : s->second) {
    if (with_latest && uses(*fn.latest)) {
      out.push_back(domain::QualifiedFunctionArn(scope, name, domain::kLatest));
    }
    if (fn.latest_published && uses(*fn.latest_published)) {
      out.push_back(domain::QualifiedFunctionArn(scope, name, domain::kLatestPublished));
    }
    for (const auto& [n, v] : fn.versions) {
      if (uses(*v)) out.push_back(domain::QualifiedFunctionArn(scope, name, v->version));
    }
  }
  return out;
}

CapacityProviderView View(const Scope& scope, const domain::CapacityProvider& provider,
                          domain::CapacityProviderState state) {
  return CapacityProviderView{provider, domain::CapacityProviderArn(scope, provider.name), state};
}

}  // namespace

Result<CapacityProviderView> FunctionService::CreateCapacityProvider(
    const Scope& scope, const std::string& name_or_arn, domain::CapacityProvider provider) {
  const domain::CapacityProviderRef ref = domain::ParseCapacityProviderName(scope, name_or_arn);
  if (!ref.in_scope) {
    return Error::Make(
        ErrorCode::kInvalidParameter,
        "Capacity provider ARN " + name_or_arn + " does not belong to this account and region.");
  }
  std::unique_lock lock(mu_);
  auto& providers = capacity_providers_[scope];
  if (providers.count(ref.name)) {
    return Error::Make(ErrorCode::kConflict, "Capacity provider already exists: " +
                                                 domain::CapacityProviderArn(scope, ref.name));
  }
  provider.name = ref.name;
  provider.last_modified_ms = clock_.NowMillis();
  storage::WriteBatch batch;
  batch.ops.push_back(Write(scope, &provider, ref.name));
  CapacityProviderView view = View(scope, provider, domain::CapacityProviderState::kPending);
  providers.emplace(ref.name, std::move(provider));
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return view;
}

Result<CapacityProviderView> FunctionService::GetCapacityProvider(
    const Scope& scope, const std::string& name_or_arn) const {
  const domain::CapacityProviderRef ref = domain::ParseCapacityProviderName(scope, name_or_arn);
  std::shared_lock lock(mu_);
  auto s = capacity_providers_.find(scope);
  if (!ref.in_scope || s == capacity_providers_.end()) return NotFound(scope, ref, name_or_arn);
  auto it = s->second.find(ref.name);
  if (it == s->second.end()) return NotFound(scope, ref, name_or_arn);
  return View(scope, it->second, domain::CapacityProviderState::kActive);
}

Result<Page<CapacityProviderView>> FunctionService::ListCapacityProviders(
    const Scope& scope, std::optional<domain::CapacityProviderState> state,
    const std::optional<std::string>& marker, int max_items) const {
  std::vector<CapacityProviderView> all;
  {
    std::shared_lock lock(mu_);
    auto s = capacity_providers_.find(scope);
    // Every stored capacity provider is Active (there is nothing to provision).
    if (s != capacity_providers_.end() &&
        (!state || *state == domain::CapacityProviderState::kActive)) {
      for (const auto& [name, provider] : s->second) {
        all.push_back(View(scope, provider, domain::CapacityProviderState::kActive));
      }
    }
  }
  return Paginate(std::move(all), marker, max_items,
                  [](const CapacityProviderView& v) { return v.provider.name; });
}

Result<CapacityProviderView> FunctionService::UpdateCapacityProvider(
    const Scope& scope, const std::string& name_or_arn,
    const std::optional<domain::CapacityProviderScalingConfig>& scaling_config) {
  const domain::CapacityProviderRef ref = domain::ParseCapacityProviderName(scope, name_or_arn);
  std::unique_lock lock(mu_);
  auto s = capacity_providers_.find(scope);
  if (!ref.in_scope || s == capacity_providers_.end()) return NotFound(scope, ref, name_or_arn);
  auto it = s->second.find(ref.name);
  if (it == s->second.end()) return NotFound(scope, ref, name_or_arn);
  domain::CapacityProvider updated = it->second;
  if (scaling_config) updated.scaling_config = *scaling_config;
  updated.last_modified_ms = clock_.NowMillis();
  storage::WriteBatch batch;
  batch.ops.push_back(Write(scope, &updated, ref.name));
  it->second = updated;
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return View(scope, updated, domain::CapacityProviderState::kActive);
}

Result<CapacityProviderView> FunctionService::DeleteCapacityProvider(
    const Scope& scope, const std::string& name_or_arn) {
  const domain::CapacityProviderRef ref = domain::ParseCapacityProviderName(scope, name_or_arn);
  std::unique_lock lock(mu_);
  auto s = capacity_providers_.find(scope);
  if (!ref.in_scope || s == capacity_providers_.end()) return NotFound(scope, ref, name_or_arn);
  auto it = s->second.find(ref.name);
  if (it == s->second.end()) return NotFound(scope, ref, name_or_arn);
  // In use by a function version: refused (model documentation; the text is unrecorded,
  // docs/research/aws-error-messages.md section 22).
  const std::string arn = domain::CapacityProviderArn(scope, ref.name);
  if (!VersionsUsing(scope, functions_, arn, true).empty()) {
    return Error::Make(ErrorCode::kConflict,
                       "Capacity provider " + arn +
                           " cannot be deleted because it is used by one or more function "
                           "versions.");
  }
  // The deleting call answers the provider in state Deleting (202); it is gone at once.
  CapacityProviderView view = View(scope, it->second, domain::CapacityProviderState::kDeleting);
  storage::WriteBatch batch;
  batch.ops.push_back(Write(scope, nullptr, ref.name));
  s->second.erase(it);
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return view;
}

Result<Page<std::string>> FunctionService::ListFunctionVersionsByCapacityProvider(
    const Scope& scope, const std::string& name_or_arn, const std::optional<std::string>& marker,
    int max_items) const {
  LAMBDALITE_TRY(auto view, GetCapacityProvider(scope, name_or_arn));
  std::vector<std::string> all;
  {
    std::shared_lock lock(mu_);
    all = VersionsUsing(scope, functions_, view.arn, false);
  }
  return Paginate(std::move(all), marker, max_items, [](const std::string& arn) { return arn; });
}

Status FunctionService::CheckCapacityProviderLocked(const Scope& scope,
                                                    const domain::FunctionConfig& config) const {
  if (!config.capacity_provider) return Status::Ok();
  const std::string& arn = config.capacity_provider->capacity_provider_arn;
  const domain::CapacityProviderRef ref = domain::ParseCapacityProviderName(scope, arn);
  auto s = capacity_providers_.find(scope);
  if (!ref.in_scope || s == capacity_providers_.end() || !s->second.count(ref.name)) {
    // Unrecorded for CreateFunction: the provider family's not-found text (CP1), section 22.
    return NotFound(scope, ref, arn);
  }
  return Status::Ok();
}

void FunctionService::RegisterCapacityProviderTags() {
  TagHandler handler;
  // Both run under the state lock (TagHandler's contract).
  handler.find = [this](const Scope& scope,
                        const std::string& name) -> std::map<std::string, std::string>* {
    auto s = capacity_providers_.find(scope);
    if (s == capacity_providers_.end()) return nullptr;
    auto it = s->second.find(name);
    return it == s->second.end() ? nullptr : &it->second.tags;
  };
  handler.persist = [this](const Scope& scope, const std::string& name, storage::WriteBatch& b) {
    const auto& provider = capacity_providers_.at(scope).at(name);
    b.ops.push_back(Write(scope, &provider, name));
  };
  SetTagHandler(domain::TaggableKind::kCapacityProvider, std::move(handler));
}

Status FunctionService::LoadCapacityProviderLocked(const storage::StoredRecord& record) {
  LAMBDALITE_TRY(domain::CapacityProvider provider, storage::DecodeCapacityProvider(record.body));
  if (provider.name.empty()) provider.name = record.key;
  capacity_providers_[record.scope][record.key] = std::move(provider);
  return Status::Ok();
}

}  // namespace lambdalite::service
