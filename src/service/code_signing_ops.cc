// FunctionService: code signing configurations, their binding to functions, and the check a
// bound configuration makes on every code deployment.
//
// What lambdalite checks. AWS verifies, with AWS Signer, that a package is signed by one of the
// config's allowed signing profiles; lambdalite has no Signer and does not verify signatures
// (cryptographically or otherwise), so it can never show that a package is signed by an allowed
// profile. It therefore treats every package as one without such a signature ("A mismatch also
// occurs if a signature is not present", AWS's code signing guide): under Enforce,
// CreateFunction and UpdateFunctionCode of a bound function are refused with AWS's
// CodeVerificationFailedException (so is a layer UpdateFunctionConfiguration adds); under Warn
// the deployment goes through and the server logs a warning (AWS: a CloudWatch metric and a
// CloudTrail record). PublishLayerVersion is never checked.
#include <algorithm>
#include <mutex>

#include "common/log.h"
#include "service/function_service.h"
#include "service/paging.h"
#include "storage/code_signing_codec.h"

namespace lambdalite::service {

using domain::Scope;

namespace {

// Get / Update / Delete CodeSigningConfig and ListFunctionsByCodeSigningConfig (reference CS13,
// CS15): a ResourceNotFoundException without the usual "Type" member.
Error ConfigNotFound(const std::string& arn) {
  return Error::Make(ErrorCode::kNotFound,
                     "The Lambda code signing configuration " + arn + " can not be found.")
      .WithoutType();
}

// PutFunctionCodeSigningConfig (reference CS19), also CreateFunction's CodeSigningConfigArn.
Error BindNotFound(const std::string& arn) {
  return Error::Make(ErrorCode::kNotFound,
                     "The code signing configuration cannot be found. Check that the provided "
                     "configuration is not deleted: " +
                         arn + ".",
                     "CodeSigningConfigNotFoundException");
}

Error FunctionMissing(const Scope& scope, const std::string& name) {
  return Error::Make(ErrorCode::kNotFound,
                     "Function not found: " + domain::FunctionArn(scope, name));
}

Error UnqualifiedOnly() {
  return Error::Make(
      ErrorCode::kInvalidParameter,
      "This operation is permitted on Lambda functions only. Aliases and versions do "
      "not support this operation. Please specify either a function name or an "
      "unqualified function ARN.");
}

storage::PutRecord ConfigRecord(const Scope& scope, const domain::CodeSigningConfig& c) {
  return storage::PutRecord{scope, std::string(storage::kCodeSigningConfigKind), c.id, "",
                            storage::EncodeCodeSigningConfig(c)};
}

}  // namespace

const domain::CodeSigningConfig* FunctionService::FindCodeSigningConfigLocked(
    const Scope& scope, const std::string& arn) const {
  auto id = domain::CodeSigningConfigIdInScope(arn, scope);
  if (!id) return nullptr;
  auto s = code_signing_configs_.find(scope);
  if (s == code_signing_configs_.end()) return nullptr;
  auto c = s->second.find(*id);
  return c == s->second.end() ? nullptr : &c->second;
}

Status FunctionService::CheckCodeSigningLocked(const Scope& scope,
                                               const std::optional<std::string>& csc_id,
                                               const std::string& requested_name) const {
  if (!csc_id) return Status::Ok();
  auto s = code_signing_configs_.find(scope);
  if (s == code_signing_configs_.end()) return Status::Ok();
  auto c = s->second.find(*csc_id);
  if (c == s->second.end()) return Status::Ok();
  if (c->second.untrusted_artifact_on_deployment != domain::kCodeSigningEnforce) {
    LogWarn("code signing: deploying a package to " + requested_name +
            " without a verified signature (policy Warn of " +
            domain::CodeSigningConfigArn(scope, *csc_id) + ")");
    return Status::Ok();
  }
  // The wording of AWS's answer to an unsigned package under Enforce; it names the function as
  // the request did (seen with a name on CreateFunction and with the ARN on an update).
  return Error::Make(ErrorCode::kInvalidParameter,
                     "Lambda cannot deploy the function. The function or layer might be signed "
                     "using a signature that the client is not configured to accept. Check the "
                     "provided signature for " +
                         requested_name + ".",
                     "CodeVerificationFailedException");
}

Result<std::optional<std::string>> FunctionService::CodeSigningForCreateLocked(
    const Scope& scope, const std::optional<std::string>& arn) const {
  if (!arn) return std::optional<std::string>();
  const domain::CodeSigningConfig* c = FindCodeSigningConfigLocked(scope, *arn);
  if (!c) return BindNotFound(*arn);
  return std::optional<std::string>(c->id);
}

Status FunctionService::LoadCodeSigningRecordLocked(const storage::StoredRecord& record) {
  if (record.kind == storage::kCodeSigningConfigKind) {
    LAMBDALITE_TRY(auto config, storage::DecodeCodeSigningConfig(record.body));
    code_signing_configs_[record.scope][record.key] = std::move(config);
    return Status::Ok();
  }
  if (record.kind == storage::kFunctionCodeSigningKind) {
    if (FunctionState* fn = FindLocked(record.scope, record.key)) {
      fn->code_signing_config_id = record.body;
    }
    return Status::Ok();
  }
  if (record.kind == storage::kRuntimeManagementKind) {
    size_t colon = record.key.rfind(':');
    if (colon == std::string::npos) {
      return Error::Make(ErrorCode::kInternal,
                         "storage: corrupt runtime management key: " + record.key);
    }
    LAMBDALITE_TRY(auto config, storage::DecodeRuntimeManagement(record.body));
    if (FunctionState* fn = FindLocked(record.scope, record.key.substr(0, colon))) {
      fn->runtime_management[record.key.substr(colon + 1)] = std::move(config);
    }
    return Status::Ok();
  }
  return Status::Ok();
}

// --- configs ------------------------------------------------------------------------------------

Result<domain::CodeSigningConfig> FunctionService::CreateCodeSigningConfig(
    const Scope& scope, CodeSigningConfigInput input) {
  domain::CodeSigningConfig c;
  c.description = input.description.value_or("");
  if (input.signing_profile_version_arns) {
    c.signing_profile_version_arns = std::move(*input.signing_profile_version_arns);
  }
  if (input.untrusted_artifact_on_deployment) {
    c.untrusted_artifact_on_deployment = *input.untrusted_artifact_on_deployment;
  }
  c.tags = std::move(input.tags);
  std::unique_lock lock(mu_);
  auto& configs = code_signing_configs_[scope];
  do {
    c.id = domain::NewCodeSigningConfigId();
  } while (configs.count(c.id) > 0);
  c.last_modified_ms = clock_.NowMillis();
  configs[c.id] = c;
  storage::WriteBatch batch;
  batch.ops.push_back(ConfigRecord(scope, c));
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return c;
}

Result<domain::CodeSigningConfig> FunctionService::GetCodeSigningConfig(
    const Scope& scope, const std::string& arn) const {
  std::shared_lock lock(mu_);
  const domain::CodeSigningConfig* c = FindCodeSigningConfigLocked(scope, arn);
  if (!c) return ConfigNotFound(arn);
  return *c;
}

Result<domain::CodeSigningConfig> FunctionService::UpdateCodeSigningConfig(
    const Scope& scope, const std::string& arn, const CodeSigningConfigInput& input) {
  std::unique_lock lock(mu_);
  auto* c = const_cast<domain::CodeSigningConfig*>(FindCodeSigningConfigLocked(scope, arn));
  if (!c) return ConfigNotFound(arn);
  domain::CodeSigningConfig updated = *c;
  if (input.description) updated.description = *input.description;
  if (input.signing_profile_version_arns) {
    updated.signing_profile_version_arns = *input.signing_profile_version_arns;
  }
  if (input.untrusted_artifact_on_deployment) {
    updated.untrusted_artifact_on_deployment = *input.untrusted_artifact_on_deployment;
  }
  // An update without a change answers the unchanged config (reference CS11).
  if (updated == *c) return *c;
  updated.last_modified_ms = clock_.NowMillis();
  *c = updated;
  storage::WriteBatch batch;
  batch.ops.push_back(ConfigRecord(scope, updated));
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return updated;
}

Status FunctionService::DeleteCodeSigningConfig(const Scope& scope, const std::string& arn) {
  std::unique_lock lock(mu_);
  const domain::CodeSigningConfig* c = FindCodeSigningConfigLocked(scope, arn);
  if (!c) return ConfigNotFound(arn);
  // AWS: "You can delete the code signing configuration only if no function is using it."
  // The text of its refusal is not recorded (docs/research/aws-error-messages.md).
  std::vector<std::string> users;
  if (auto s = functions_.find(scope); s != functions_.end()) {
    for (const auto& [name, fn] : s->second) {
      if (fn.code_signing_config_id == c->id) users.push_back(domain::FunctionArn(scope, name));
    }
  }
  if (!users.empty()) {
    std::string list;
    for (const auto& u : users) list += (list.empty() ? "" : ", ") + u;
    return Error::Make(ErrorCode::kConflict,
                       "The code signing configuration " + arn +
                           " cannot be deleted because it is used by the following functions: [" +
                           list + "]");
  }
  std::string id = c->id;
  code_signing_configs_[scope].erase(id);
  storage::WriteBatch batch;
  batch.ops.push_back(
      storage::DeleteRecord{scope, std::string(storage::kCodeSigningConfigKind), id});
  return CommitAndRelease(lock, std::move(batch));
}

Result<Page<domain::CodeSigningConfig>> FunctionService::ListCodeSigningConfigs(
    const Scope& scope, const std::optional<std::string>& marker, int max_items) const {
  std::vector<domain::CodeSigningConfig> all;
  {
    std::shared_lock lock(mu_);
    if (auto s = code_signing_configs_.find(scope); s != code_signing_configs_.end()) {
      for (const auto& [id, c] : s->second) all.push_back(c);
    }
  }
  return Paginate(std::move(all), marker, max_items,
                  [](const domain::CodeSigningConfig& c) { return c.id; });
}

Result<Page<std::string>> FunctionService::ListFunctionsByCodeSigningConfig(
    const Scope& scope, const std::string& arn, const std::optional<std::string>& marker,
    int max_items) const {
  std::vector<std::string> all;
  {
    std::shared_lock lock(mu_);
    const domain::CodeSigningConfig* c = FindCodeSigningConfigLocked(scope, arn);
    if (!c) return ConfigNotFound(arn);
    if (auto s = functions_.find(scope); s != functions_.end()) {
      for (const auto& [name, fn] : s->second) {
        if (fn.code_signing_config_id == c->id) all.push_back(domain::FunctionArn(scope, name));
      }
    }
  }
  return Paginate(std::move(all), marker, max_items, [](const std::string& a) { return a; });
}

// --- function bindings
// ----------------------------------------------------------------------------

Result<FunctionCodeSigning> FunctionService::PutFunctionCodeSigningConfig(
    const Scope& scope, const std::string& function_name, const std::string& arn) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  if (t.qualifier) return UnqualifiedOnly();
  std::unique_lock lock(mu_);
  const domain::CodeSigningConfig* c = FindCodeSigningConfigLocked(scope, arn);
  if (!c) return BindNotFound(arn);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return FunctionMissing(scope, t.name);
  FunctionCodeSigning out{domain::CodeSigningConfigArn(scope, c->id), t.name};
  if (fn->code_signing_config_id == c->id) return out;
  fn->code_signing_config_id = c->id;
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutRecord{scope, std::string(storage::kFunctionCodeSigningKind),
                                         t.name, t.name, c->id});
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return out;
}

Result<std::optional<FunctionCodeSigning>> FunctionService::GetFunctionCodeSigningConfig(
    const Scope& scope, const std::string& function_name) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  if (t.qualifier) return UnqualifiedOnly();
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return FunctionMissing(scope, t.name);
  if (!fn->code_signing_config_id) return std::optional<FunctionCodeSigning>();
  return std::optional<FunctionCodeSigning>(FunctionCodeSigning{
      domain::CodeSigningConfigArn(scope, *fn->code_signing_config_id), t.name});
}

Status FunctionService::DeleteFunctionCodeSigningConfig(const Scope& scope,
                                                        const std::string& function_name) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  if (t.qualifier) return UnqualifiedOnly();
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return FunctionMissing(scope, t.name);
  if (!fn->code_signing_config_id) return Status::Ok();  // reference CS9: idempotent
  fn->code_signing_config_id.reset();
  storage::WriteBatch batch;
  batch.ops.push_back(
      storage::DeleteRecord{scope, std::string(storage::kFunctionCodeSigningKind), t.name});
  return CommitAndRelease(lock, std::move(batch));
}

}  // namespace lambdalite::service
