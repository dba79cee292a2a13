// FunctionService: function URL configs (Create/Get/Update/Delete/ListFunctionUrlConfig(s)) and
// the look-up of a URL id for the data plane. Answers follow aws-lambda-behaviour-2.md section 7
// (FU1..FU26).
#include <mutex>

#include "service/function_service.h"
#include "service/paging.h"
#include "storage/url_codec.h"

namespace lambdalite::service {

using domain::Scope;

namespace {

// Create, Update and List: a missing function or alias (FU13, FU18, FU23).
Error NoFunction() { return Error::Make(ErrorCode::kNotFound, "Function does not exist"); }
// Get and Delete: anything missing (FU8, FU18, FU23, FU26).
Error NoSuchResource() {
  return Error::Make(ErrorCode::kNotFound, "The resource you requested does not exist.");
}

std::string UrlArn(const Scope& scope, const std::string& name, const std::string& qualifier) {
  return qualifier.empty() ? domain::FunctionArn(scope, name)
                           : domain::QualifiedFunctionArn(scope, name, qualifier);
}

storage::PutRecord UrlPut(const Scope& scope, const std::string& name,
                          const domain::FunctionUrlConfig& config) {
  return storage::PutRecord{scope, std::string(storage::kUrlRecordKind),
                            storage::UrlRecordKey(name, config.qualifier), name,
                            storage::EncodeUrlConfig(config)};
}

}  // namespace

// The qualifier a URL config is kept under, when `fn` has it: "" for none, else an existing
// alias (a version number or $LATEST derived from the name never names a URL).
static std::optional<std::string> UrlKeyOf(const std::optional<std::string>& q,
                                           const std::map<std::string, domain::Alias>& aliases) {
  if (!q) return std::string();
  if (domain::IsVersionNumber(*q) || *q == domain::kLatest || !aliases.count(*q)) {
    return std::nullopt;
  }
  return *q;
}

Result<FunctionUrlView> FunctionService::CreateFunctionUrlConfig(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier, const FunctionUrlInput& input) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return NoFunction();
  auto key = UrlKeyOf(t.qualifier, fn->aliases);
  if (!key) return NoFunction();
  const std::string arn = UrlArn(scope, t.name, *key);
  if (fn->urls.count(*key)) {  // FU7 (two spaces, as AWS writes it)
    return Error::Make(ErrorCode::kConflict,
                       "Failed to create function url config for [functionArn = " + arn +
                           "]. Error message:  FunctionUrlConfig exists for this Lambda function");
  }
  domain::FunctionUrlConfig config;
  config.qualifier = *key;
  do {
    config.url_id = domain::NewUrlId();
  } while (url_index_.count(config.url_id));
  config.auth_type = input.auth_type.value_or(std::string(domain::kUrlAuthNone));
  config.invoke_mode = input.invoke_mode;
  config.cors = input.cors;
  config.creation_ms = clock_.NowMillis();
  config.last_modified_ms = config.creation_ms;
  fn->urls[*key] = config;
  url_index_[config.url_id] = UrlLocation{scope, t.name, *key};
  storage::WriteBatch batch;
  batch.ops.push_back(UrlPut(scope, t.name, config));
  FunctionUrlView view{config, arn};
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return view;
}

Result<FunctionUrlView> FunctionService::GetFunctionUrlConfig(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return NoSuchResource();
  auto key = UrlKeyOf(t.qualifier, fn->aliases);
  if (!key) return NoSuchResource();
  auto it = fn->urls.find(*key);
  if (it == fn->urls.end()) return NoSuchResource();
  return FunctionUrlView{it->second, UrlArn(scope, t.name, *key)};
}

Result<FunctionUrlView> FunctionService::UpdateFunctionUrlConfig(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier, const FunctionUrlInput& input) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return NoFunction();
  auto key = UrlKeyOf(t.qualifier, fn->aliases);
  if (!key) return NoFunction();
  auto it = fn->urls.find(*key);
  if (it == fn->urls.end()) return NoSuchResource();  // FU26
  domain::FunctionUrlConfig config = it->second;
  if (input.auth_type) config.auth_type = *input.auth_type;
  if (input.invoke_mode) config.invoke_mode = input.invoke_mode;
  if (input.cors) config.cors = input.cors;
  config.last_modified_ms = clock_.NowMillis();
  it->second = config;
  storage::WriteBatch batch;
  batch.ops.push_back(UrlPut(scope, t.name, config));
  FunctionUrlView view{config, UrlArn(scope, t.name, *key)};
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return view;
}

Status FunctionService::DeleteFunctionUrlConfig(const Scope& scope,
                                                const std::string& function_name,
                                                const std::optional<std::string>& qualifier) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return NoSuchResource();
  auto key = UrlKeyOf(t.qualifier, fn->aliases);
  if (!key || !fn->urls.count(*key)) return NoSuchResource();
  storage::WriteBatch batch;
  DropUrlLocked(scope, t.name, *fn, *key, batch);  // FU14: only this qualifier's
  return CommitAndRelease(lock, std::move(batch));
}

Result<Page<FunctionUrlView>> FunctionService::ListFunctionUrlConfigs(
    const Scope& scope, const std::string& function_name, const std::optional<std::string>& marker,
    int max_items) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::vector<FunctionUrlView> all;
  {
    std::shared_lock lock(mu_);
    const FunctionState* fn = FindLocked(scope, t.name);
    if (!fn) return NoFunction();  // FU13
    for (const auto& [q, config] : fn->urls) all.push_back({config, UrlArn(scope, t.name, q)});
  }
  return Paginate(std::move(all), marker, max_items,
                  [](const FunctionUrlView& v) { return v.config.qualifier; });
}

std::optional<FunctionUrlTarget> FunctionService::ResolveFunctionUrl(
    std::string_view url_id) const {
  std::shared_lock lock(mu_);
  auto loc = url_index_.find(std::string(url_id));
  if (loc == url_index_.end()) return std::nullopt;
  const FunctionState* fn = FindLocked(loc->second.scope, loc->second.function_name);
  if (!fn) return std::nullopt;
  auto it = fn->urls.find(loc->second.qualifier);
  if (it == fn->urls.end() || it->second.url_id != url_id) return std::nullopt;
  FunctionUrlTarget target{loc->second.scope, loc->second.function_name, it->second, {}};
  auto policy = fn->policies.find(loc->second.qualifier);
  if (policy != fn->policies.end()) target.statements = policy->second.statements;
  return target;
}

void FunctionService::DropUrlLocked(const Scope& scope, const std::string& name, FunctionState& fn,
                                    const std::string& qualifier, storage::WriteBatch& batch) {
  auto it = fn.urls.find(qualifier);
  if (it == fn.urls.end()) return;
  url_index_.erase(it->second.url_id);
  fn.urls.erase(it);
  batch.ops.push_back(storage::DeleteRecord{scope, std::string(storage::kUrlRecordKind),
                                            storage::UrlRecordKey(name, qualifier)});
}

Status FunctionService::LoadUrlLocked(const storage::StoredRecord& record) {
  FunctionState* fn = FindLocked(record.scope, record.owner_function);
  if (!fn) return Status::Ok();  // the store removes a function's records with it
  LAMBDALITE_TRY(domain::FunctionUrlConfig config, storage::DecodeUrlConfig(record.body));
  url_index_[config.url_id] = UrlLocation{record.scope, record.owner_function, config.qualifier};
  std::string q = config.qualifier;
  fn->urls[q] = std::move(config);
  return Status::Ok();
}

}  // namespace lambdalite::service
