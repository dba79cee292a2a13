// FunctionService: resource-based policies (AddPermission, GetPolicy, RemovePermission).
// Answers follow aws-lambda-behaviour-2.md section 1 (RP1..RP41).
#include <mutex>

#include "common/ids.h"
#include "service/function_service.h"
#include "storage/policy_codec.h"

namespace lambdalite::service {

using domain::Scope;

namespace {

Error NotFound(std::string message) {
  return Error::Make(ErrorCode::kNotFound, std::move(message));
}

// GetPolicy answers every kind of absence with this text (RP14, RP16, RP36).
Error NoSuchResource() { return NotFound("The resource you requested does not exist."); }

// RP18, RP22 (recorded for AddPermission; RemovePermission is given the same text).
Error StalePolicyRevision() {
  return Error::Make(ErrorCode::kPreconditionFailed,
                     "The Revision Id provided does not match the latest Revision Id. Call the "
                     "GetPolicy API to retrieve the latest Revision Id");
}

// The policy key of a qualifier: "" for none and for $LATEST, which share the function's policy.
std::string PolicyKey(const std::optional<std::string>& qualifier) {
  if (!qualifier || *qualifier == domain::kLatest) return {};
  return *qualifier;
}

storage::WriteOp PolicyWrite(const Scope& scope, const std::string& name, const std::string& key,
                             const domain::Policy* policy) {
  const std::string record_key = storage::PolicyRecordKey(name, key);
  if (!policy)
    return storage::DeleteRecord{scope, std::string(storage::kPolicyRecordKind), record_key};
  return storage::PutRecord{scope, std::string(storage::kPolicyRecordKind), record_key, name,
                            storage::EncodePolicy(*policy)};
}

}  // namespace

Result<std::string> FunctionService::AddPermission(const Scope& scope,
                                                   const std::string& function_name,
                                                   const std::optional<std::string>& qualifier,
                                                   const AddPermissionInput& in) {
  // RP27 then RP28: both before any existence check.
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  if (t.qualifier && *t.qualifier == domain::kLatest) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "We currently do not support adding policies for $LATEST.");
  }
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return NotFound("Function not found: " + domain::FunctionArn(scope, t.name));  // RP30
  if (t.qualifier) {
    if (domain::IsVersionNumber(*t.qualifier)) {
      if (!fn->versions.count(std::stoll(*t.qualifier))) {  // RP32
        return NotFound("Function not found: " +
                        domain::QualifiedFunctionArn(scope, t.name, *t.qualifier));
      }
    } else if (!fn->aliases.count(*t.qualifier)) {  // RP31
      return NotFound("Cannot find alias arn: " +
                      domain::QualifiedFunctionArn(scope, t.name, *t.qualifier));
    }
  }
  const std::string key = PolicyKey(t.qualifier);
  auto existing = fn->policies.find(key);
  domain::Policy policy = existing == fn->policies.end() ? domain::Policy{} : existing->second;
  // A RevisionId names the current policy; without one there is nothing it can match (RP18).
  if (in.revision_id && (existing == fn->policies.end() || *in.revision_id != policy.revision_id)) {
    return StalePolicyRevision();
  }
  if (domain::FindStatement(policy, in.statement_id)) {  // RP35
    return Error::Make(ErrorCode::kConflict,
                       "The statement id (" + in.statement_id +
                           ") provided already exists. Please provide a new statement id, or "
                           "remove the existing statement.");
  }
  const std::string resource = t.qualifier
                                   ? domain::QualifiedFunctionArn(scope, t.name, *t.qualifier)
                                   : domain::FunctionArn(scope, t.name);
  policy.statements.push_back(domain::BuildFunctionStatement(
      in.statement_id, in.action, in.principal, resource, in.conditions));
  const size_t size = domain::RenderPolicyDocument(policy.statements).size();
  if (size > domain::kMaxPolicyBytes) {
    // 400, Type User, lower-case message; the text as quoted in many issues (e.g.
    // serverless/serverless#5357, scribd/terraform-aws-datadog#61).
    return Error::Make(ErrorCode::kInvalidParameter,
                       "The final policy size (" + std::to_string(size) +
                           ") is bigger than the limit (" +
                           std::to_string(domain::kMaxPolicyBytes) + ").",
                       "PolicyLengthExceededException");
  }
  policy.revision_id = NewUuid();
  std::string statement = domain::RenderStatement(policy.statements.back());
  storage::WriteBatch batch;
  batch.ops.push_back(PolicyWrite(scope, t.name, key, &policy));
  fn->policies[key] = std::move(policy);
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return statement;
}

Result<PolicyView> FunctionService::GetPolicy(const Scope& scope, const std::string& function_name,
                                              const std::optional<std::string>& qualifier) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return NoSuchResource();
  auto it = fn->policies.find(PolicyKey(t.qualifier));
  if (it == fn->policies.end()) return NoSuchResource();
  return PolicyView{domain::RenderPolicyDocument(it->second.statements), it->second.revision_id};
}

Status FunctionService::RemovePermission(const Scope& scope, const std::string& function_name,
                                         const std::string& statement_id,
                                         const std::optional<std::string>& qualifier,
                                         const std::optional<std::string>& revision_id) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) {  // RP39
    return NotFound("No policy found for: " +
                    (t.qualifier ? domain::QualifiedFunctionArn(scope, t.name, *t.qualifier)
                                 : domain::FunctionArn(scope, t.name)));
  }
  const std::string key = PolicyKey(t.qualifier);
  auto it = fn->policies.find(key);
  if (it == fn->policies.end()) {  // RP38
    return NotFound("No policy is associated with the given resource.");
  }
  if (revision_id && *revision_id != it->second.revision_id) return StalePolicyRevision();
  auto index = domain::FindStatement(it->second, statement_id);
  if (!index) {  // RP41
    return NotFound("Statement " + statement_id + " is not found in resource policy.");
  }
  storage::WriteBatch batch;
  it->second.statements.erase(it->second.statements.begin() + static_cast<long>(*index));
  if (it->second.statements.empty()) {
    // A policy exists only while it has a statement (RP14).
    fn->policies.erase(it);
    batch.ops.push_back(PolicyWrite(scope, t.name, key, nullptr));
  } else {
    it->second.revision_id = NewUuid();  // RP12
    batch.ops.push_back(PolicyWrite(scope, t.name, key, &it->second));
  }
  return CommitAndRelease(lock, std::move(batch));
}

void FunctionService::DropPolicyLocked(const Scope& scope, const std::string& name,
                                       FunctionState& fn, const std::string& qualifier,
                                       storage::WriteBatch& batch) {
  if (fn.policies.erase(qualifier) > 0)
    batch.ops.push_back(PolicyWrite(scope, name, qualifier, nullptr));
}

Status FunctionService::LoadPolicyLocked(const storage::StoredRecord& record) {
  FunctionState* fn = FindLocked(record.scope, record.owner_function);
  // The store deletes owned records with their function, so an orphan is not expected; it is
  // not served.
  if (!fn) return Status::Ok();
  LAMBDALITE_TRY(domain::Policy policy, storage::DecodePolicy(record.body));
  if (policy.statements.empty()) return Status::Ok();
  fn->policies[storage::PolicyRecordQualifier(record.key, record.owner_function)] =
      std::move(policy);
  return Status::Ok();
}

}  // namespace lambdalite::service
