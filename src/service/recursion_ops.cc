// FunctionService: recursive loop detection config (PutFunctionRecursionConfig,
// GetFunctionRecursionConfig). Answers follow aws-lambda-behaviour-2.md section 5 (RC1..RC4);
// the not-found text is the GetFunction family's (unrecorded; docs/research).
#include <mutex>

#include "service/function_service.h"
#include "storage/recursion_codec.h"

namespace lambdalite::service {

using domain::Scope;

namespace {

Error NoSuchFunction(const Scope& scope, const std::string& name) {
  return Error::Make(ErrorCode::kNotFound,
                     "Function not found: " + domain::FunctionArn(scope, name));
}

}  // namespace

Result<domain::RecursiveLoop> FunctionService::PutFunctionRecursionConfig(
    const Scope& scope, const std::string& function_name, domain::RecursiveLoop loop) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return NoSuchFunction(scope, t.name);
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutRecord{scope, std::string(storage::kRecursionRecordKind), t.name,
                                         t.name, storage::EncodeRecursionConfig(loop)});
  fn->recursive_loop = loop;
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return loop;
}

Result<domain::RecursiveLoop> FunctionService::GetFunctionRecursionConfig(
    const Scope& scope, const std::string& function_name) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return NoSuchFunction(scope, t.name);
  return fn->recursive_loop;
}

Status FunctionService::LoadRecursionLocked(const storage::StoredRecord& record) {
  FunctionState* fn = FindLocked(record.scope, record.owner_function);
  if (!fn) return Status::Ok();  // an orphan (not expected: owned records go with the function)
  LAMBDALITE_TRY(fn->recursive_loop, storage::DecodeRecursionConfig(record.body));
  return Status::Ok();
}

}  // namespace lambdalite::service
