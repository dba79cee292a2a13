// FunctionService: Lambda layers (PublishLayerVersion ... RemoveLayerVersionPermission) and the
// resolution of a function's Layers. Answers follow aws-lambda-behaviour-2.md section 2 (LY*,
// LP*, LF*); texts not recorded there are sourced in docs/research/aws-error-messages.md
// sections 17 and 18.
#include <algorithm>
#include <mutex>
#include <utility>

#include "common/ids.h"
#include "service/code_package.h"
#include "service/function_service.h"
#include "service/paging.h"
#include "storage/layer_codec.h"

namespace lambdalite::service {

using domain::Scope;

namespace {

// GetLayerVersion and GetLayerVersionByArn (LY15, LY19).
Error NoSuchResource() {
  return Error::Make(ErrorCode::kNotFound, "The resource you requested does not exist.");
}

// The three policy operations (LP10).
Error NoSuchLayerVersion(const Scope& scope, const std::string& name, int64_t version) {
  return Error::Make(
      ErrorCode::kNotFound,
      "Layer version " + domain::LayerVersionArn(scope, name, version) + " does not exist.");
}

// Research notes section 17: another account's layer version that grants the caller nothing.
Error NotAuthorized(const Scope& caller, std::string_view action, const std::string& arn) {
  return Error::Make(ErrorCode::kAccessDenied,
                     "User: arn:aws:iam::" + caller.account +
                         ":root is not authorized to perform: " + std::string(action) +
                         " on resource: " + arn + " because no resource-based policy allows the " +
                         std::string(action) + " action");
}

storage::WriteOp VersionWrite(const Scope& scope, const domain::LayerVersion& v) {
  return storage::PutRecord{scope, std::string(storage::kLayerVersionRecordKind),
                            storage::LayerVersionRecordKey(v.name, v.version), "",
                            storage::EncodeLayerVersion(v)};
}

// The scope a LayerName names: its ARN's, or the caller's for a plain name.
Scope ScopeOf(const Scope& caller, const domain::LayerNameRef& ref) {
  return ref.scope ? *ref.scope : caller;
}

}  // namespace

Result<domain::LayerVersion> FunctionService::PublishLayerVersion(const Scope& scope,
                                                                  PublishLayerInput in) {
  domain::LayerNameRef ref = domain::ParseLayerName(in.layer_name);
  if (ref.scope && *ref.scope != scope) {
    return NotAuthorized(scope, "lambda:PublishLayerVersion",
                         domain::LayerArn(*ref.scope, ref.name));
  }
  if (!in.content.zip_file && !in.content.s3_bucket && !in.content.s3_key) {
    return Error::Make(ErrorCode::kInvalidParameter, "Please provide a source for function code.");
  }
  // Stored outside the lock (it may fetch from S3 and writes the blob).
  BlobCollector::Pin pin;  // released after the commit, with the lock
  LAMBDALITE_TRY(domain::CodeInfo code, StorePackage(in.content, &pin));
  std::unique_lock lock(mu_);
  LayerState& layer = layers_[scope][ref.name];
  domain::LayerVersion v;
  v.name = ref.name;
  v.version = ++layer.last_version;
  v.description = in.description.value_or("");
  v.license_info = std::move(in.license_info);
  v.compatible_runtimes = std::move(in.compatible_runtimes);
  v.compatible_architectures = std::move(in.compatible_architectures);
  v.created_ms = clock_.NowMillis();
  v.code = std::move(code);
  layer.versions[v.version] = v;
  storage::WriteBatch batch;
  batch.ops.push_back(VersionWrite(scope, v));
  batch.ops.push_back(storage::PutRecord{scope, std::string(storage::kLayerCounterRecordKind),
                                         ref.name, "",
                                         storage::EncodeLayerCounter(layer.last_version)});
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return v;
}

Result<domain::LayerVersion> FunctionService::GetLayerVersion(const Scope& scope,
                                                              const std::string& layer_name,
                                                              int64_t version) const {
  if (version < 1) {  // LY16: no final period
    return Error::Make(ErrorCode::kInvalidParameter, "Layer Version Cannot be less than 1");
  }
  domain::LayerNameRef ref = domain::ParseLayerName(layer_name);
  const Scope owner = ScopeOf(scope, ref);
  std::shared_lock lock(mu_);
  const domain::LayerVersion* v = FindLayerVersionLocked(owner, ref.name, version);
  if (!v) return NoSuchResource();
  if (owner.account != scope.account &&
      !domain::LayerPolicyAllows(v->policy, scope.account, "lambda:GetLayerVersion")) {
    return NotAuthorized(scope, "lambda:GetLayerVersion",
                         domain::LayerVersionArn(owner, ref.name, version));
  }
  return *v;
}

Result<domain::LayerVersion> FunctionService::GetLayerVersionByArn(const Scope& scope,
                                                                   const std::string& arn) const {
  auto ref = domain::ParseLayerVersionArn(arn);
  if (!ref) return NoSuchResource();
  return GetLayerVersion(scope, domain::LayerArn(ref->scope, ref->name), ref->version);
}

Result<Page<domain::LayerVersion>> FunctionService::ListLayers(
    const Scope& scope, const std::optional<std::string>& runtime,
    const std::optional<std::string>& architecture, const std::optional<std::string>& marker,
    int max_items) const {
  std::vector<domain::LayerVersion> latest;
  {
    std::shared_lock lock(mu_);
    auto s = layers_.find(scope);
    if (s != layers_.end()) {
      for (const auto& [name, layer] : s->second) {  // by name
        for (auto it = layer.versions.rbegin(); it != layer.versions.rend(); ++it) {
          if (domain::LayerMatches(it->second, runtime, architecture)) {
            latest.push_back(it->second);
            break;
          }
        }
      }
    }
  }
  return Paginate(std::move(latest), marker, max_items,
                  [](const domain::LayerVersion& v) { return v.name; });
}

Result<Page<domain::LayerVersion>> FunctionService::ListLayerVersions(
    const Scope& scope, const std::string& layer_name, const std::optional<std::string>& runtime,
    const std::optional<std::string>& architecture, const std::optional<std::string>& marker,
    int max_items) const {
  domain::LayerNameRef ref = domain::ParseLayerName(layer_name);
  const Scope owner = ScopeOf(scope, ref);
  std::vector<domain::LayerVersion> versions;
  {
    std::shared_lock lock(mu_);
    auto s = layers_.find(owner);
    if (s != layers_.end()) {
      auto l = s->second.find(ref.name);
      if (l != s->second.end()) {
        for (auto it = l->second.versions.rbegin(); it != l->second.versions.rend(); ++it) {
          if (!domain::LayerMatches(it->second, runtime, architecture)) continue;
          // Another account's versions: only those it shares with the caller.
          if (owner.account != scope.account &&
              !domain::LayerPolicyAllows(it->second.policy, scope.account,
                                         "lambda:GetLayerVersion")) {
            continue;
          }
          versions.push_back(it->second);  // newest first (LY8)
        }
      }
    }
  }
  // An unknown layer is an empty list, not an error (LY9).
  return Paginate(std::move(versions), marker, max_items,
                  [](const domain::LayerVersion& v) { return std::to_string(v.version); });
}

Status FunctionService::DeleteLayerVersion(const Scope& scope, const std::string& layer_name,
                                           int64_t version) {
  domain::LayerNameRef ref = domain::ParseLayerName(layer_name);
  if (ref.scope && *ref.scope != scope) return Status::Ok();  // nothing of the caller's
  std::unique_lock lock(mu_);
  auto s = layers_.find(scope);
  if (s == layers_.end()) return Status::Ok();  // LY12: idempotent
  auto l = s->second.find(ref.name);
  if (l == s->second.end() || !l->second.versions.erase(version)) return Status::Ok();
  // The blob stays while a function version still refers to it (their layer_code keeps it from
  // the collector), so those functions keep extracting it (LF3). The counter record stays too
  // (LY11).
  storage::WriteBatch batch;
  batch.ops.push_back(storage::DeleteRecord{scope, std::string(storage::kLayerVersionRecordKind),
                                            storage::LayerVersionRecordKey(ref.name, version)});
  return CommitAndRelease(lock, std::move(batch));
}

const domain::LayerVersion* FunctionService::FindLayerVersionLocked(const Scope& scope,
                                                                    const std::string& name,
                                                                    int64_t version) const {
  auto s = layers_.find(scope);
  if (s == layers_.end()) return nullptr;
  auto l = s->second.find(name);
  if (l == s->second.end()) return nullptr;
  auto v = l->second.versions.find(version);
  return v == l->second.versions.end() ? nullptr : &v->second;
}

domain::LayerVersion* FunctionService::FindLayerVersionLocked(const Scope& scope,
                                                              const std::string& name,
                                                              int64_t version) {
  return const_cast<domain::LayerVersion*>(
      std::as_const(*this).FindLayerVersionLocked(scope, name, version));
}

Result<LayerPermissionView> FunctionService::AddLayerVersionPermission(
    const Scope& scope, const std::string& layer_name, int64_t version,
    const AddLayerPermissionInput& in) {
  domain::LayerNameRef ref = domain::ParseLayerName(layer_name);
  const Scope owner = ScopeOf(scope, ref);
  std::unique_lock lock(mu_);
  domain::LayerVersion* v =
      owner == scope ? FindLayerVersionLocked(scope, ref.name, version) : nullptr;
  if (!v) return NoSuchLayerVersion(owner, ref.name, version);  // LP10
  domain::Policy policy = v->policy;
  // A RevisionId names the current policy; without one there is nothing it can match (LP8).
  if (in.revision_id && (policy.statements.empty() || *in.revision_id != policy.revision_id)) {
    return Error::Make(ErrorCode::kPreconditionFailed,
                       "The Revision Id provided does not match the latest Revision Id. Call the "
                       "GetLayerPolicy API to retrieve the latest Revision Id");
  }
  if (domain::FindStatement(policy, in.statement_id)) {  // LP7
    return Error::Make(ErrorCode::kConflict,
                       "The statement id (" + in.statement_id +
                           ") provided already exists. Please provide a new statement id, or "
                           "remove the existing statement.");
  }
  policy.statements.push_back(domain::BuildLayerStatement(
      in.statement_id, in.action, in.principal, domain::LayerVersionArn(scope, ref.name, version),
      in.organization_id));
  const size_t size = domain::RenderPolicyDocument(policy.statements).size();
  if (size > domain::kMaxPolicyBytes) {  // as AddPermission (policy_ops.cc)
    return Error::Make(ErrorCode::kInvalidParameter,
                       "The final policy size (" + std::to_string(size) +
                           ") is bigger than the limit (" +
                           std::to_string(domain::kMaxPolicyBytes) + ").",
                       "PolicyLengthExceededException");
  }
  policy.revision_id = NewUuid();
  LayerPermissionView view{domain::RenderStatement(policy.statements.back()), policy.revision_id};
  v->policy = std::move(policy);
  storage::WriteBatch batch;
  batch.ops.push_back(VersionWrite(scope, *v));
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return view;
}

Result<PolicyView> FunctionService::GetLayerVersionPolicy(const Scope& scope,
                                                          const std::string& layer_name,
                                                          int64_t version) const {
  domain::LayerNameRef ref = domain::ParseLayerName(layer_name);
  const Scope owner = ScopeOf(scope, ref);
  std::shared_lock lock(mu_);
  const domain::LayerVersion* v =
      owner == scope ? FindLayerVersionLocked(scope, ref.name, version) : nullptr;
  if (!v) return NoSuchLayerVersion(owner, ref.name, version);  // LP10
  if (v->policy.statements.empty()) {                           // LP1
    return Error::Make(ErrorCode::kNotFound, "No policy is associated with the given resource.");
  }
  return PolicyView{domain::RenderPolicyDocument(v->policy.statements), v->policy.revision_id};
}

Status FunctionService::RemoveLayerVersionPermission(
    const Scope& scope, const std::string& layer_name, int64_t version,
    const std::string& statement_id, const std::optional<std::string>& revision_id) {
  domain::LayerNameRef ref = domain::ParseLayerName(layer_name);
  const Scope owner = ScopeOf(scope, ref);
  std::unique_lock lock(mu_);
  domain::LayerVersion* v =
      owner == scope ? FindLayerVersionLocked(scope, ref.name, version) : nullptr;
  if (!v) return NoSuchLayerVersion(owner, ref.name, version);  // LP10
  if (v->policy.statements.empty()) {
    return Error::Make(ErrorCode::kNotFound, "No policy is associated with the given resource.");
  }
  if (revision_id && *revision_id != v->policy.revision_id) {
    return Error::Make(ErrorCode::kPreconditionFailed,
                       "The Revision Id provided does not match the latest Revision Id. Call the "
                       "GetLayerPolicy API to retrieve the latest Revision Id");
  }
  auto index = domain::FindStatement(v->policy, statement_id);
  if (!index) {  // LP12
    return Error::Make(ErrorCode::kNotFound,
                       "Statement " + statement_id + " is not found in resource policy.");
  }
  v->policy.statements.erase(v->policy.statements.begin() + static_cast<long>(*index));
  v->policy.revision_id = v->policy.statements.empty() ? std::string() : NewUuid();
  storage::WriteBatch batch;
  batch.ops.push_back(VersionWrite(scope, *v));
  return CommitAndRelease(lock, std::move(batch));
}

Status FunctionService::LoadLayerRecordLocked(const storage::StoredRecord& record) {
  if (record.kind == storage::kLayerCounterRecordKind) {
    LAMBDALITE_TRY(int64_t last, storage::DecodeLayerCounter(record.body));
    LayerState& layer = layers_[record.scope][record.key];
    layer.last_version = std::max(layer.last_version, last);
    return Status::Ok();
  }
  LAMBDALITE_TRY(domain::LayerVersion v, storage::DecodeLayerVersion(record.body));
  LayerState& layer = layers_[record.scope][v.name];
  layer.last_version = std::max(layer.last_version, v.version);
  const int64_t number = v.version;
  layer.versions[number] = std::move(v);
  return Status::Ok();
}

Status FunctionService::ResolveLayersLocked(const Scope& scope, domain::FunctionConfig& config,
                                            const domain::FunctionConfig* previous) const {
  std::vector<domain::CodeInfo> codes;
  std::vector<std::optional<domain::LayerVersionRef>> refs;
  for (size_t i = 0; i < config.layers.size(); ++i) {
    const std::string& arn = config.layers[i];
    refs.push_back(domain::ParseLayerVersionArn(arn));
    // LF4: two versions of one layer. Compared on the ARN without its version.
    if (refs.back()) {
      for (size_t j = 0; j < i; ++j) {
        if (refs[j] && refs[j]->scope == refs.back()->scope && refs[j]->name == refs.back()->name &&
            refs[j]->version != refs.back()->version) {
          return Error::Make(ErrorCode::kInvalidParameter,
                             "Two different versions of the same layer are not allowed to be "
                             "referenced in the same function. " +
                                 config.layers[j] + " and " + arn +
                                 " are versions of the same layer.");
        }
      }
    }
    // Already referenced: keeps its package, even when the version was deleted since (LF3).
    if (previous) {
      auto it = std::find(previous->layers.begin(), previous->layers.end(), arn);
      if (it != previous->layers.end()) {
        size_t k = static_cast<size_t>(it - previous->layers.begin());
        codes.push_back(k < previous->layer_code.size() ? previous->layer_code[k]
                                                        : domain::CodeInfo{});
        continue;
      }
    }
    const domain::LayerVersion* found =
        refs.back() && refs.back()->scope.region == scope.region
            ? FindLayerVersionLocked(refs.back()->scope, refs.back()->name, refs.back()->version)
            : nullptr;
    if (!found) {  // LF7: 400 here (404 for the policy operations)
      return Error::Make(ErrorCode::kInvalidParameter, "Layer version " + arn + " does not exist.");
    }
    if (refs.back()->scope.account != scope.account &&
        !domain::LayerPolicyAllows(found->policy, scope.account, "lambda:GetLayerVersion")) {
      return NotAuthorized(scope, "lambda:GetLayerVersion", arn);
    }
    codes.push_back(found->code);
  }
  config.layer_code = std::move(codes);
  return Status::Ok();
}

Status CheckCombinedSize(const domain::CodeInfo& code, const domain::FunctionConfig& config) {
  int64_t total = code.unzipped_size;
  for (const domain::CodeInfo& layer : config.layer_code) total += layer.unzipped_size;
  if (total > kMaxUnzippedBytes) {  // research notes section 17
    return Error::Make(ErrorCode::kInvalidParameter,
                       "Function code combined with layers exceeds the maximum allowed size of " +
                           std::to_string(kMaxUnzippedBytes) + " bytes. The actual size is " +
                           std::to_string(total) + " bytes.");
  }
  return Status::Ok();
}

}  // namespace lambdalite::service
