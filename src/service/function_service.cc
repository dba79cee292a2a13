#include "service/function_service.h"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "common/crypto.h"
#include "common/ids.h"
#include "common/log.h"
#include "domain/runtimes.h"
#include "service/code_package.h"
#include "service/paging.h"
#include "storage/capacity_provider_codec.h"
#include "storage/code_signing_codec.h"
#include "storage/codec.h"
#include "storage/layer_codec.h"
#include "storage/policy_codec.h"
#include "storage/provisioned_codec.h"
#include "storage/recursion_codec.h"
#include "storage/esm_codec.h"
#include "storage/url_codec.h"

namespace lambdalite::service {

using domain::FunctionVersion;
using domain::kLatest;
using domain::Scope;

namespace {

Error NotFound(std::string message) {
  return Error::Make(ErrorCode::kNotFound, std::move(message));
}
Error InvalidParam(std::string message) {
  return Error::Make(ErrorCode::kInvalidParameter, std::move(message));
}

Error FunctionNotFound(const Scope& scope, std::string_view name,
                       const std::optional<std::string>& qualifier = std::nullopt) {
  return NotFound("Function not found: " +
                  (qualifier ? domain::QualifiedFunctionArn(scope, name, *qualifier)
                             : domain::FunctionArn(scope, name)));
}

Error UnqualifiedOnly() {
  return InvalidParam(
      "This operation is permitted on Lambda functions only. Aliases and versions do not support "
      "this operation. Please specify either a function name or an unqualified function ARN.");
}

Error StaleRevision() {
  return Error::Make(ErrorCode::kPreconditionFailed,
                     "The Revision Id provided does not match the latest Revision Id. Call the "
                     "GetFunction/GetAlias API to retrieve the latest Revision Id");
}

}  // namespace

FunctionService::FunctionService(storage::FunctionStore& store, storage::CodeStore& code_store,
                                 CodeFetcher* fetcher, const Clock& clock, ServiceLimits limits)
    : store_(store),
      code_store_(code_store),
      fetcher_(fetcher),
      clock_(clock),
      limits_(limits),
      committer_(store),
      blob_collector_(code_store, clock, [this] { return ReferencedBlobs(); }) {
  RegisterCapacityProviderTags();
  RegisterEventSourceMappingTags();
}

Status FunctionService::Load() {
  LAMBDALITE_TRY(auto stored, store_.LoadAll());
  LAMBDALITE_TRY(std::vector<storage::StoredRecord> records, store_.LoadRecords());
  std::map<Scope, FunctionMap> loaded;
  for (auto& sf : stored) {
    FunctionState st;
    st.meta = std::move(sf.function.meta);
    st.latest = std::make_shared<const FunctionVersion>(std::move(sf.function.latest));
    for (auto& [n, v] : sf.function.versions) {
      st.versions[n] = std::make_shared<const FunctionVersion>(std::move(v));
    }
    st.aliases = std::move(sf.function.aliases);
    st.event_invoke_configs = std::move(sf.function.event_invoke_configs);
    std::string name = st.meta.name;
    loaded[sf.scope].emplace(std::move(name), std::move(st));
  }
  std::unique_lock lock(mu_);
  functions_ = std::move(loaded);
  code_signing_configs_.clear();
  layers_.clear();
  capacity_providers_.clear();
  esms_.clear();
  url_index_.clear();
  reserved_sum_.clear();
  for (const auto& [scope, functions] : functions_) RecountReservedLocked(scope);
  for (const storage::StoredRecord& record : records) {
    LAMBDALITE_RETURN_IF_ERROR(LoadRecordLocked(record));
  }
  // Provisioned configs (records) take from the unreserved pool too.
  for (const auto& [scope, functions] : functions_) RecountReservedLocked(scope);
  return Status::Ok();
}

Status FunctionService::LoadRecordLocked(const storage::StoredRecord& record) {
  // Each family of records adds its kind here: `if (record.kind == kXxxKind) return
  // LoadXxxLocked(record);`. A kind this binary does not know was written by a newer one: it
  // stays on disk untouched and is not served.
  if (record.kind == storage::kCodeSigningConfigKind ||
      record.kind == storage::kFunctionCodeSigningKind ||
      record.kind == storage::kRuntimeManagementKind) {
    return LoadCodeSigningRecordLocked(record);
  }
  if (record.kind == storage::kPolicyRecordKind) return LoadPolicyLocked(record);
  if (record.kind == storage::kLayerVersionRecordKind ||
      record.kind == storage::kLayerCounterRecordKind) {
    return LoadLayerRecordLocked(record);
  }
  if (record.kind == storage::kRecursionRecordKind) return LoadRecursionLocked(record);
  if (record.kind == storage::kFunctionScalingRecordKind) return LoadFunctionScalingLocked(record);
  if (record.kind == storage::kLatestPublishedRecordKind) return LoadLatestPublishedLocked(record);
  if (record.kind == storage::kCapacityProviderRecordKind) {
    return LoadCapacityProviderLocked(record);
  }
  if (record.kind == storage::kProvisionedRecordKind) return LoadProvisionedLocked(record);
  if (record.kind == storage::kUrlRecordKind) return LoadUrlLocked(record);
  if (record.kind == storage::kEsmRecordKind) return LoadEsmLocked(record);
  return Status::Ok();
}

Status FunctionService::CheckRuntimeAvailable(const domain::FunctionConfig& config) const {
  if (config.runtime.empty() || !runtime_available_ || runtime_available_(config.runtime)) {
    return Status::Ok();
  }
  // Not an AWS answer (AWS runs every supported runtime): lambdalite's own refusal, made at
  // create/update time so that Invoke does not fail with a 500 that SDKs retry.
  // The variable is executor::RuntimeRegistry::OverrideVariable's name (the service cannot see
  // the executor): upper case, every other character '_'.
  std::string variable = "LAMBDALITE_RUNTIME_";
  for (char c : config.runtime) {
    const auto u = static_cast<unsigned char>(c);
    variable.push_back(std::isalnum(u) ? static_cast<char>(std::toupper(u)) : '_');
  }
  return InvalidParam("The runtime " + config.runtime +
                      " cannot run on this lambdalite server: no interpreter is configured for "
                      "it (" +
                      variable + "). Use a python, nodejs or provided runtime.");
}

// --- helpers ----------------------------------------------------------------------------------

Result<FunctionService::Target> FunctionService::ResolveTarget(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier) {
  LAMBDALITE_TRY(auto ref, domain::ParseFunctionName(function_name));
  // AWS checks the qualifier pair before anything else (reference F6, P18).
  LAMBDALITE_TRY(auto q, domain::ResolveQualifier(ref, qualifier));
  LAMBDALITE_RETURN_IF_ERROR(domain::CheckScope(ref, scope));
  return Target{ref.name, q};
}

const FunctionService::FunctionState* FunctionService::FindLocked(const Scope& scope,
                                                                  std::string_view name) const {
  auto s = functions_.find(scope);
  if (s == functions_.end()) return nullptr;
  auto f = s->second.find(name);
  return f == s->second.end() ? nullptr : &f->second;
}

FunctionService::FunctionState* FunctionService::FindLocked(const Scope& scope,
                                                            std::string_view name) {
  return const_cast<FunctionState*>(std::as_const(*this).FindLocked(scope, name));
}

VersionPtr FunctionService::SelectLocked(const FunctionState& fn,
                                         const std::optional<std::string>& q) const {
  if (!q || *q == kLatest) return fn.latest;
  if (*q == domain::kLatestPublished) return fn.latest_published;
  if (domain::IsVersionNumber(*q)) {
    auto it = fn.versions.find(std::stoll(*q));
    return it == fn.versions.end() ? nullptr : it->second;
  }
  auto a = fn.aliases.find(*q);
  if (a == fn.aliases.end()) return nullptr;
  return SelectLocked(fn, a->second.function_version);
}

bool FunctionService::QualifierExistsLocked(const FunctionState& fn, const std::string& q) const {
  return SelectLocked(fn, q) != nullptr;
}

FunctionView FunctionService::ViewLocked(const FunctionState& fn, VersionPtr v,
                                         std::optional<std::string> qualifier) const {
  FunctionView view;
  view.version = std::move(v);
  view.name = fn.meta.name;
  view.qualifier = std::move(qualifier);
  view.tags = fn.meta.tags;
  view.reserved_concurrency = fn.meta.reserved_concurrency;
  view.recursive_loop = fn.recursive_loop;
  if (view.version) {
    auto rm = fn.runtime_management.find(view.version->version);
    if (rm != fn.runtime_management.end())
      view.runtime_version_arn = rm->second.runtime_version_arn;
  }
  return view;
}

Status FunctionService::CommitAndRelease(std::unique_lock<std::shared_mutex>& lock,
                                         storage::WriteBatch batch) {
  auto ticket = committer_.Enqueue(std::move(batch));
  lock.unlock();
  Status st = ticket.get();
  if (!st.ok()) {
    // Memory already holds the change; the store refused it. Put memory back in line with what
    // is durable so nobody keeps reading a change that was never accepted.
    LogError("commit failed: " + st.error().message + "; reloading state from storage");
    Status reload = Load();
    if (!reload.ok()) LogError("reload failed: " + reload.error().message);
    return Error::Make(ErrorCode::kUnavailable, "The service is unable to persist the change.");
  }
  return st;
}

Result<domain::CodeInfo> FunctionService::StorePackage(const CodeSource& source,
                                                       BlobCollector::Pin* pin) {
  std::string bytes;
  if (source.zip_file) {
    bytes = *source.zip_file;
  } else if (source.s3_bucket || source.s3_key) {
    if (!source.s3_bucket || !source.s3_key) {
      return InvalidParam("Please provide a source for function code.");
    }
    if (fetcher_ == nullptr) {
      return InvalidParam(
          "Error occurred while GetObject. S3 Error Code: ServiceUnavailable. "
          "S3 Error Message: no S3 endpoint is configured");
    }
    LAMBDALITE_TRY(bytes,
                   fetcher_->FetchS3(*source.s3_bucket, *source.s3_key, source.s3_object_version));
  } else if (source.image_uri) {
    return InvalidParam(
        "lambdalite runs Zip deployment packages only; container images (ImageUri) are not "
        "supported.");
  } else {
    return InvalidParam("Please provide a source for function code.");
  }
  LAMBDALITE_TRY(auto summary, InspectZip(bytes));
  const std::string digest = Sha256(bytes);
  // Pinned before the Put (the store's ids are the hex SHA-256): see blob_collector.h.
  *pin = blob_collector_.PinBlob(HexEncode(digest));
  LAMBDALITE_TRY(auto blob_id, code_store_.Put(bytes));
  domain::CodeInfo info;
  info.unzipped_size = summary.unzipped_bytes;
  info.blob_id = std::move(blob_id);
  info.sha256_base64 = Base64Encode(digest);
  info.size = static_cast<int64_t>(bytes.size());
  return info;
}

VersionPtr FunctionService::PublishLocked(const Scope& scope, FunctionState& fn,
                                          const std::optional<std::string>& description,
                                          storage::WriteBatch& batch) {
  auto v = std::make_shared<FunctionVersion>(*fn.latest);
  fn.meta.last_published_version += 1;
  v->version = std::to_string(fn.meta.last_published_version);
  v->revision_id = NewUuid();
  v->source_revision_id = fn.latest->revision_id;
  v->last_modified_ms = clock_.NowMillis();
  if (description) v->config.description = *description;
  fn.versions[fn.meta.last_published_version] = v;
  batch.ops.push_back(storage::PutVersion{scope, fn.meta.name, *v});
  batch.ops.push_back(storage::PutFunctionMeta{scope, fn.meta});
  return v;
}

VersionPtr FunctionService::PublishLatestPublishedLocked(
    const Scope& scope, FunctionState& fn, const std::optional<std::string>& description,
    storage::WriteBatch& batch) {
  auto v = std::make_shared<FunctionVersion>(*fn.latest);
  v->version = std::string(domain::kLatestPublished);
  if (description) v->config.description = *description;
  v->source_revision_id = fn.latest->revision_id;
  v->revision_id = NewUuid();
  v->last_modified_ms = clock_.NowMillis();
  fn.latest_published = v;
  batch.ops.push_back(storage::PutRecord{scope, std::string(storage::kLatestPublishedRecordKind),
                                         fn.meta.name, fn.meta.name,
                                         storage::EncodeFunctionVersion(*v)});
  return v;
}

// Checks that apply to both create and update of a configuration.
static Status CheckConfig(const domain::FunctionConfig& c) {
  if (c.package_type == "Zip" && (c.runtime.empty() || c.handler.empty())) {
    return InvalidParam(
        "Runtime and Handler are mandatory parameters for functions created with deployment "
        "packages.");
  }
  if (!c.runtime.empty() && !domain::IsSupportedRuntime(c.runtime)) {
    return InvalidParam("The runtime parameter of " + c.runtime +
                        " is no longer supported for creating or updating AWS Lambda functions. "
                        "We recommend you use a supported runtime while creating or updating "
                        "functions.");
  }
  if (c.layers.size() > 5) return InvalidParam("Cannot reference more than 5 layers.");
  if (c.environment) {
    // AWS measures the variables as compact JSON and quotes that string back.
    std::string measured = "{";
    auto quote = [&measured](const std::string& s) {
      measured += '"';
      for (char ch : s) {
        if (ch == '"' || ch == '\\') measured += '\\';
        measured += ch;
      }
      measured += '"';
    };
    for (const auto& [k, v] : *c.environment) {
      if (measured.size() > 1) measured += ',';
      quote(k);
      measured += ':';
      quote(v);
    }
    measured += '}';
    if (measured.size() > 4096) {
      return InvalidParam(
          "Lambda was unable to configure your environment variables because the environment "
          "variables you have provided exceeded the 4KB limit. String measured: " +
          measured);
    }
  }
  return Status::Ok();
}

// --- functions --------------------------------------------------------------------------------

Result<FunctionView> FunctionService::CreateFunction(const Scope& scope, CreateFunctionInput in) {
  LAMBDALITE_TRY(auto ref, domain::ParseFunctionName(in.name));
  LAMBDALITE_RETURN_IF_ERROR(domain::CheckScope(ref, scope));
  if (ref.qualifier) {
    return Error::Make(ErrorCode::kValidation,
                       "1 validation error detected: Value '" + in.name +
                           "' at 'functionName' failed to satisfy constraint: Member must satisfy "
                           "regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?"
                           "[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?"
                           "(function:)?([a-zA-Z0-9-_]+)");
  }
  const std::string name = ref.name;
  if (in.config.logging.log_group.empty()) in.config.logging.log_group = "/aws/lambda/" + name;
  LAMBDALITE_RETURN_IF_ERROR(CheckConfig(in.config));
  std::optional<std::string> csc_id;
  LAMBDALITE_RETURN_IF_ERROR(CheckRuntimeAvailable(in.config));
  {
    std::shared_lock lock(mu_);
    if (FindLocked(scope, name)) {
      return Error::Make(ErrorCode::kConflict, "Function already exist: " + name);
    }
    LAMBDALITE_TRY(csc_id, CodeSigningForCreateLocked(scope, in.code_signing_config_arn));
    LAMBDALITE_RETURN_IF_ERROR(CheckCodeSigningLocked(scope, csc_id, in.name));
    LAMBDALITE_RETURN_IF_ERROR(ResolveLayersLocked(scope, in.config, nullptr));
    LAMBDALITE_RETURN_IF_ERROR(CheckCapacityProviderLocked(scope, in.config));
  }
  BlobCollector::Pin pin;  // released after the commit, with the lock
  LAMBDALITE_TRY(auto code, StorePackage(in.code, &pin));
  LAMBDALITE_RETURN_IF_ERROR(CheckCombinedSize(code, in.config));

  std::unique_lock lock(mu_);
  if (FindLocked(scope, name)) {
    return Error::Make(ErrorCode::kConflict, "Function already exist: " + name);
  }
  // The config may have gone while the package was stored.
  LAMBDALITE_TRY(csc_id, CodeSigningForCreateLocked(scope, in.code_signing_config_arn));
  LAMBDALITE_RETURN_IF_ERROR(CheckCapacityProviderLocked(scope, in.config));
  const int64_t now = clock_.NowMillis();
  FunctionState fn;
  fn.meta.name = name;
  fn.meta.tags = std::move(in.tags);
  fn.meta.created_ms = now;
  auto latest = std::make_shared<FunctionVersion>();
  latest->version = std::string(kLatest);
  latest->config = std::move(in.config);
  latest->code = std::move(code);
  latest->revision_id = NewUuid();
  latest->last_modified_ms = now;
  fn.latest = latest;
  fn.code_signing_config_id = csc_id;

  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutVersion{scope, name, *latest});
  if (csc_id) {
    batch.ops.push_back(storage::PutRecord{scope, std::string(storage::kFunctionCodeSigningKind),
                                           name, name, *csc_id});
  }
  VersionPtr shown = latest;
  if (in.publish && in.publish_to_latest_published) {
    batch.ops.push_back(storage::PutFunctionMeta{scope, fn.meta});
    shown = PublishLatestPublishedLocked(scope, fn, in.publish_description, batch);
  } else if (in.publish) {
    shown = PublishLocked(scope, fn, in.publish_description, batch);
  } else {
    batch.ops.push_back(storage::PutFunctionMeta{scope, fn.meta});
  }
  FunctionView view = ViewLocked(fn, shown, std::nullopt);
  view.phase = Phase::kCreating;
  functions_[scope].emplace(name, std::move(fn));
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return view;
}

Result<FunctionView> FunctionService::GetFunction(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return FunctionNotFound(scope, t.name, t.qualifier);
  VersionPtr v = SelectLocked(*fn, t.qualifier);
  if (!v) return FunctionNotFound(scope, t.name, t.qualifier);
  FunctionView view = ViewLocked(*fn, std::move(v), t.qualifier);
  if (!view.reserved_concurrency) {
    view.unreserved_concurrency = limits_.account_concurrency - ReservedSumLocked(scope);
  }
  for (const auto& [q, config] : fn->provisioned) view.provisioned_concurrency += config.requested;
  return view;
}

Result<FunctionView> FunctionService::UpdateFunctionCode(const Scope& scope,
                                                         const std::string& function_name,
                                                         UpdateCodeInput in) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  {
    std::shared_lock lock(mu_);
    const FunctionState* fn = FindLocked(scope, t.name);
    if (!fn) return FunctionNotFound(scope, t.name);
    LAMBDALITE_RETURN_IF_ERROR(
        CheckCodeSigningLocked(scope, fn->code_signing_config_id, function_name));
  }
  if (in.code.image_uri) {
    return InvalidParam(
        "Please don't provide ImageUri when updating a function with packageType Zip.");
  }
  BlobCollector::Pin pin;  // released after the commit, with the lock
  LAMBDALITE_TRY(auto code, StorePackage(in.code, &pin));

  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return FunctionNotFound(scope, t.name);
  if (in.revision_id && *in.revision_id != fn->latest->revision_id) return StaleRevision();
  LAMBDALITE_RETURN_IF_ERROR(CheckCombinedSize(code, fn->latest->config));
  auto latest = std::make_shared<FunctionVersion>(*fn->latest);
  latest->code = std::move(code);
  if (in.architectures) latest->config.architectures = *in.architectures;
  latest->revision_id = NewUuid();
  latest->last_modified_ms = clock_.NowMillis();
  if (in.dry_run) {
    FunctionView view = ViewLocked(*fn, latest, std::nullopt);
    return view;
  }
  fn->latest = latest;
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutVersion{scope, t.name, *latest});
  FunctionView view = ViewLocked(*fn, latest, std::nullopt);
  view.phase = Phase::kUpdating;
  if (in.publish) {
    // AWS answers with the new version then (qualified ARN, State Pending).
    VersionPtr published = in.publish_to_latest_published
                               ? PublishLatestPublishedLocked(scope, *fn, std::nullopt, batch)
                               : PublishLocked(scope, *fn, std::nullopt, batch);
    view = ViewLocked(*fn, published, published->version);
    view.phase = Phase::kCreating;
  }
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  NotifyChanged(scope, t.name);
  return view;
}

Result<FunctionView> FunctionService::UpdateFunctionConfiguration(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& revision_id, const ConfigPatch& patch) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return FunctionNotFound(scope, t.name);
  if (revision_id && *revision_id != fn->latest->revision_id) return StaleRevision();
  auto latest = std::make_shared<FunctionVersion>(*fn->latest);
  LAMBDALITE_RETURN_IF_ERROR(patch(latest->config));
  if (latest->config.capacity_provider && !fn->latest->config.capacity_provider) {
    // As recorded by LocalStack: the compute type is fixed when the function is created.
    return InvalidParam("CapacityProviderConfig isn't supported for Lambda Default functions.");
  }
  if (latest->config.capacity_provider != fn->latest->config.capacity_provider) {
    LAMBDALITE_RETURN_IF_ERROR(CheckCapacityProviderLocked(scope, latest->config));
  }
  LAMBDALITE_RETURN_IF_ERROR(CheckConfig(latest->config));
  LAMBDALITE_RETURN_IF_ERROR(ResolveLayersLocked(scope, latest->config, &fn->latest->config));
  LAMBDALITE_RETURN_IF_ERROR(CheckCombinedSize(latest->code, latest->config));
  if (latest->config.runtime != fn->latest->config.runtime) {
    LAMBDALITE_RETURN_IF_ERROR(CheckRuntimeAvailable(latest->config));
  }
  // A layer added to a function under code signing is a deployment of unverified code too
  // (AWS: "any layers that you add to the function must also be signed"); AWS names the layer.
  const auto& before = fn->latest->config.layers;
  for (const std::string& layer : latest->config.layers) {
    if (std::find(before.begin(), before.end(), layer) == before.end()) {
      LAMBDALITE_RETURN_IF_ERROR(CheckCodeSigningLocked(scope, fn->code_signing_config_id, layer));
    }
  }
  latest->revision_id = NewUuid();
  latest->last_modified_ms = clock_.NowMillis();
  fn->latest = latest;
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutVersion{scope, t.name, *latest});
  FunctionView view = ViewLocked(*fn, latest, std::nullopt);
  view.phase = Phase::kUpdating;
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  NotifyChanged(scope, t.name);
  return view;
}

Status FunctionService::DeleteFunction(const Scope& scope, const std::string& function_name,
                                       const std::optional<std::string>& qualifier) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  // Both qualifier checks come before the existence check (recorded for $LATEST).
  if (t.qualifier && *t.qualifier == kLatest) {
    return InvalidParam("$LATEST version cannot be deleted without deleting the function.");
  }
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  // Once the function is gone AWS names it unqualified, whatever the qualifier.
  if (!fn) return FunctionNotFound(scope, t.name);
  if (t.qualifier && !domain::IsVersionNumber(*t.qualifier)) {
    if (fn->aliases.count(*t.qualifier)) {
      return InvalidParam("Deletion of aliases is not currently supported.");
    }
    // Neither a version nor an alias (e.g. "$latest": qualifiers are case-sensitive): AWS finds
    // no such function version and answers 404.
    return FunctionNotFound(scope, t.name, t.qualifier);
  }
  storage::WriteBatch batch;
  std::vector<std::string> released;  // provisioned configs that go
  if (!t.qualifier) {
    for (const auto& [q, config] : fn->provisioned) released.push_back(q);
    batch.ops.push_back(storage::DeleteFunction{scope, t.name});
    functions_[scope].erase(t.name);
    RecountReservedLocked(scope);
  } else {
    std::vector<std::string> referencing;
    for (const auto& [alias_name, alias] : fn->aliases) {
      bool refers =
          alias.function_version == *t.qualifier || alias.routing_weights.count(*t.qualifier) > 0;
      if (refers) referencing.push_back(alias_name);
    }
    if (!referencing.empty()) {
      std::string list;
      for (const auto& a : referencing) list += (list.empty() ? "" : ", ") + a;
      return Error::Make(
          ErrorCode::kConflict,
          "Unable to delete version because the following aliases reference it: [" + list + "]");
    }
    // Deleting a version that does not exist succeeds (AWS is idempotent here).
    if (fn->versions.erase(std::stoll(*t.qualifier)) == 0) return Status::Ok();
    batch.ops.push_back(storage::DeleteVersion{scope, t.name, *t.qualifier});
    if (fn->event_invoke_configs.erase(*t.qualifier) > 0) {
      batch.ops.push_back(storage::DeleteEventInvokeConfig{scope, t.name, *t.qualifier});
    }
    if (fn->runtime_management.erase(*t.qualifier) > 0) {
      batch.ops.push_back(storage::DeleteRecord{scope, std::string(storage::kRuntimeManagementKind),
                                                t.name + ":" + *t.qualifier});
    }
    DropPolicyLocked(scope, t.name, *fn, *t.qualifier, batch);
    DropFunctionScalingLocked(scope, t.name, *fn, *t.qualifier, batch);
    if (DropProvisionedLocked(scope, t.name, *fn, *t.qualifier, batch)) {
      released.push_back(*t.qualifier);
      RecountReservedLocked(scope);
    }
  }
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  SyncProvisioned(scope, t.name, released);
  if (!t.qualifier) NotifyChanged(scope, t.name);
  return Status::Ok();
}

Result<Page<FunctionView>> FunctionService::ListFunctions(const Scope& scope, bool all_versions,
                                                          const std::optional<std::string>& marker,
                                                          int max_items) const {
  std::vector<FunctionView> all;
  {
    std::shared_lock lock(mu_);
    auto s = functions_.find(scope);
    if (s != functions_.end()) {
      for (const auto& [name, fn] : s->second) {
        if (!all_versions) {
          all.push_back(ViewLocked(fn, fn.latest, std::nullopt));
          continue;
        }
        all.push_back(ViewLocked(fn, fn.latest, std::string(kLatest)));
        for (const auto& [n, v] : fn.versions) all.push_back(ViewLocked(fn, v, v->version));
      }
    }
  }
  return Paginate(std::move(all), marker, max_items, [](const FunctionView& v) {
    return v.name + (v.qualifier ? ":" + *v.qualifier : std::string());
  });
}

// --- versions ---------------------------------------------------------------------------------

Result<FunctionView> FunctionService::PublishVersion(const Scope& scope,
                                                     const std::string& function_name,
                                                     const std::optional<std::string>& code_sha256,
                                                     const std::optional<std::string>& description,
                                                     const std::optional<std::string>& revision_id,
                                                     bool to_latest_published) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return FunctionNotFound(scope, t.name);
  if (code_sha256 && *code_sha256 != fn->latest->code.sha256_base64) {
    return InvalidParam(
        "CodeSHA256 (" + *code_sha256 + ") is different from current CodeSHA256 in $LATEST (" +
        fn->latest->code.sha256_base64 + "). Please try again with the CodeSHA256 in $LATEST.");
  }
  if (revision_id && *revision_id != fn->latest->revision_id) return StaleRevision();
  if (to_latest_published) {
    if (fn->latest_published &&
        fn->latest_published->source_revision_id == fn->latest->revision_id) {
      return ViewLocked(*fn, fn->latest_published, std::nullopt);
    }
    storage::WriteBatch batch;
    VersionPtr v = PublishLatestPublishedLocked(scope, *fn, description, batch);
    FunctionView view = ViewLocked(*fn, v, std::nullopt);
    LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
    return view;
  }
  // Nothing changed in $LATEST since the last publish: AWS returns that version (even when a new
  // Description is passed).
  if (!fn->versions.empty() &&
      fn->versions.rbegin()->second->source_revision_id == fn->latest->revision_id) {
    FunctionView view = ViewLocked(*fn, fn->versions.rbegin()->second, std::nullopt);
    return view;
  }
  storage::WriteBatch batch;
  VersionPtr v = PublishLocked(scope, *fn, description, batch);
  FunctionView view = ViewLocked(*fn, v, std::nullopt);
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return view;
}

Result<Page<FunctionView>> FunctionService::ListVersions(const Scope& scope,
                                                         const std::string& function_name,
                                                         const std::optional<std::string>& marker,
                                                         int max_items) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::vector<FunctionView> all;
  {
    std::shared_lock lock(mu_);
    const FunctionState* fn = FindLocked(scope, t.name);
    if (!fn) return FunctionNotFound(scope, t.name);
    all.push_back(ViewLocked(*fn, fn->latest, std::string(kLatest)));
    for (const auto& [n, v] : fn->versions) all.push_back(ViewLocked(*fn, v, v->version));
  }
  return Paginate(std::move(all), marker, max_items,
                  [](const FunctionView& v) { return v.version->version; });
}

// --- concurrency, account, tags
// -------------------------------------------------------------------

void FunctionService::RecountReservedLocked(const Scope& scope) {
  int sum = 0;
  if (auto s = functions_.find(scope); s != functions_.end()) {
    for (const auto& [name, fn] : s->second) {
      if (fn.meta.reserved_concurrency) {
        sum += *fn.meta.reserved_concurrency;
        continue;
      }
      for (const auto& [q, config] : fn.provisioned) sum += config.requested;
    }
  }
  reserved_sum_[scope] = sum;
}

int FunctionService::ReservedSumLocked(const Scope& scope) const {
  auto it = reserved_sum_.find(scope);
  return it == reserved_sum_.end() ? 0 : it->second;
}

Result<int> FunctionService::PutFunctionConcurrency(const Scope& scope,
                                                    const std::string& function_name,
                                                    int reserved) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  if (t.qualifier) return UnqualifiedOnly();
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  // Recorded: this operation alone names the function ":$LATEST" when it is missing.
  if (!fn) return FunctionNotFound(scope, t.name, std::string(kLatest));
  int own_provisioned = 0;
  for (const auto& [q, config] : fn->provisioned) own_provisioned += config.requested;
  // PC31: the reservation must hold the function's provisioned concurrency (AWS's spacing).
  if (reserved < own_provisioned) {
    return InvalidParam(" ReservedConcurrentExecutions  " + std::to_string(reserved) +
                        " should not be lower than function's total provisioned concurrency [" +
                        std::to_string(own_provisioned) + "].")
        .WithoutType();
  }
  const int reserved_by_others =
      ReservedSumLocked(scope) - fn->meta.reserved_concurrency.value_or(own_provisioned);
  if (limits_.account_concurrency - reserved_by_others - reserved <
      limits_.min_unreserved_concurrency) {
    return InvalidParam(
               "Specified ReservedConcurrentExecutions for function decreases account's "
               "UnreservedConcurrentExecution below its minimum value of [" +
               std::to_string(limits_.min_unreserved_concurrency) + "].")
        .WithoutType();
  }
  fn->meta.reserved_concurrency = reserved;
  RecountReservedLocked(scope);
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutFunctionMeta{scope, fn->meta});
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return reserved;
}

Result<std::optional<int>> FunctionService::GetFunctionConcurrency(
    const Scope& scope, const std::string& function_name) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return FunctionNotFound(scope, t.name);
  return fn->meta.reserved_concurrency;
}

Status FunctionService::DeleteFunctionConcurrency(const Scope& scope,
                                                  const std::string& function_name) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return FunctionNotFound(scope, t.name);
  fn->meta.reserved_concurrency.reset();
  RecountReservedLocked(scope);
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutFunctionMeta{scope, fn->meta});
  return CommitAndRelease(lock, std::move(batch));
}

AccountSettings FunctionService::GetAccountSettings(const Scope& scope) const {
  AccountSettings out;
  std::shared_lock lock(mu_);
  out.concurrent_executions = limits_.account_concurrency;
  out.unreserved_concurrent_executions = limits_.account_concurrency - ReservedSumLocked(scope);
  if (auto s = functions_.find(scope); s != functions_.end()) {
    for (const auto& [name, fn] : s->second) {
      ++out.function_count;
      out.total_code_size += fn.latest->code.size;
      for (const auto& [n, v] : fn.versions) out.total_code_size += v->code.size;
    }
  }
  // AWS: "storage ... used by deployment packages and layer archives" (AccountUsage).
  if (auto l = layers_.find(scope); l != layers_.end()) {
    for (const auto& [name, layer] : l->second) {
      for (const auto& [n, v] : layer.versions) out.total_code_size += v.code.size;
    }
  }
  return out;
}

Result<std::string> FunctionService::ReadCode(const std::string& blob_id) const {
  return code_store_.Get(blob_id);
}

std::unordered_set<std::string> FunctionService::ReferencedBlobs() const {
  std::unordered_set<std::string> out;
  auto add_version = [&out](const VersionPtr& v) {
    if (!v) return;
    if (!v->code.blob_id.empty()) out.insert(v->code.blob_id);
    // A function keeps the content of a layer version even after the version is deleted (LF3).
    for (const domain::CodeInfo& layer : v->config.layer_code) {
      if (!layer.blob_id.empty()) out.insert(layer.blob_id);
    }
  };
  std::shared_lock lock(mu_);
  for (const auto& [scope, functions] : functions_) {
    for (const auto& [name, fn] : functions) {
      add_version(fn.latest);
      for (const auto& [number, v] : fn.versions) add_version(v);
      add_version(fn.latest_published);
    }
  }
  for (const auto& [scope, layers] : layers_) {
    for (const auto& [name, layer] : layers) {
      for (const auto& [number, v] : layer.versions) {
        if (!v.code.blob_id.empty()) out.insert(v.code.blob_id);
      }
    }
  }
  return out;
}

void FunctionService::StartBlobCollection(std::chrono::milliseconds grace,
                                          std::chrono::milliseconds interval) {
  blob_collector_.set_grace_ms(grace.count());
  blob_collector_.Start(interval);
}

}  // namespace lambdalite::service
