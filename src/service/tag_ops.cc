// FunctionService: tags (TagResource, UntagResource, ListTags) on every taggable resource.
//
// The resource ARN names its kind; functions and code signing configs are built in, other
// families plug in a TagHandler (function_service.h). A kind without a handler has no resources
// yet, so its ARNs get AWS's not-found answer for that kind.
#include <mutex>

#include "service/function_service.h"
#include "storage/code_signing_codec.h"

namespace lambdalite::service {

using domain::Scope;
using domain::TaggableKind;

namespace {

Error InvalidParam(std::string message) {
  return Error::Make(ErrorCode::kInvalidParameter, std::move(message));
}

Error Unprocessable() {
  return InvalidParam("An error occurred and the request cannot be processed.");
}

// AWS's not-found answer per kind (reference part 2: ET3 for event source mappings, CP1 for
// capacity providers; part 1 for functions). For code signing configs lambdalite reuses the
// text AWS gives for a missing config elsewhere (CS13); the tag answer itself is unrecorded.
Error TagTargetNotFound(TaggableKind kind, const std::string& arn, const Scope& scope,
                        const std::string& id) {
  switch (kind) {
    case TaggableKind::kFunction:
      return Error::Make(ErrorCode::kNotFound,
                         "Function not found: " + domain::FunctionArn(scope, id));
    case TaggableKind::kCodeSigningConfig:
      return Error::Make(ErrorCode::kNotFound,
                         "The Lambda code signing configuration " + arn + " can not be found.")
          .WithoutType();
    case TaggableKind::kEventSourceMapping:
      return Error::Make(ErrorCode::kNotFound, "Event source mapping not found: " + arn);
    case TaggableKind::kCapacityProvider:
      return Error::Make(ErrorCode::kNotFound, "Capacity provider not found: " + arn);
    case TaggableKind::kLayer:
      break;
  }
  return Unprocessable();
}

}  // namespace

void FunctionService::SetTagHandler(TaggableKind kind, TagHandler handler) {
  std::unique_lock lock(mu_);
  tag_handlers_[kind] = std::move(handler);
}

// Resolves `resource_arn` to the tags it names, under the state lock, together with the write
// that stores them. `persist` is empty for reads.
struct FunctionService::TagTarget {
  std::map<std::string, std::string>* tags = nullptr;
  std::function<void(storage::WriteBatch&)> persist;
};

Result<FunctionService::TagTarget> FunctionService::FindTagTargetLocked(
    const Scope& scope, const std::string& resource_arn) {
  LAMBDALITE_TRY(domain::TaggableRef ref, domain::ParseTaggableArn(resource_arn));
  if (ref.kind == TaggableKind::kFunction && ref.qualifier) {
    return InvalidParam(
        "Tags on function aliases and versions are not supported. Please specify a function "
        "ARN.");
  }
  // Layers are in the model's pattern but carry no tags in Lambda's API.
  if (ref.kind == TaggableKind::kLayer) return Unprocessable();
  if (ref.account != scope.account || ref.region != scope.region) {
    if (ref.kind == TaggableKind::kFunction) {
      domain::FunctionRef fref{ref.id, std::nullopt, ref.account, ref.region};
      LAMBDALITE_RETURN_IF_ERROR(domain::CheckScope(fref, scope));
    }
    // Another account or region holds none of the caller's resources.
    return TagTargetNotFound(ref.kind, resource_arn, scope, ref.id);
  }
  TagTarget target;
  switch (ref.kind) {
    case TaggableKind::kFunction: {
      FunctionState* fn = FindLocked(scope, ref.id);
      if (!fn) break;
      target.tags = &fn->meta.tags;
      target.persist = [scope, fn](storage::WriteBatch& b) {
        b.ops.push_back(storage::PutFunctionMeta{scope, fn->meta});
      };
      return target;
    }
    case TaggableKind::kCodeSigningConfig: {
      auto s = code_signing_configs_.find(scope);
      if (s == code_signing_configs_.end()) break;
      auto c = s->second.find(ref.id);
      if (c == s->second.end()) break;
      domain::CodeSigningConfig* config = &c->second;
      target.tags = &config->tags;
      target.persist = [scope, config](storage::WriteBatch& b) {
        b.ops.push_back(storage::PutRecord{scope, std::string(storage::kCodeSigningConfigKind),
                                           config->id, "",
                                           storage::EncodeCodeSigningConfig(*config)});
      };
      return target;
    }
    default: {
      auto h = tag_handlers_.find(ref.kind);
      if (h == tag_handlers_.end() || !h->second.find) break;
      target.tags = h->second.find(scope, ref.id);
      if (!target.tags) break;
      target.persist = [persist = h->second.persist, scope, id = ref.id](storage::WriteBatch& b) {
        if (persist) persist(scope, id, b);
      };
      return target;
    }
  }
  return TagTargetNotFound(ref.kind, resource_arn, scope, ref.id);
}

Status FunctionService::TagResource(const Scope& scope, const std::string& resource_arn,
                                    const std::map<std::string, std::string>& tags) {
  std::unique_lock lock(mu_);
  auto found = FindTagTargetLocked(scope, resource_arn);
  // An empty tag map is refused before the resource is looked up (as before the dispatch).
  if (tags.empty() && (found.ok() || found.error().code == ErrorCode::kNotFound)) {
    return Unprocessable();
  }
  LAMBDALITE_TRY(TagTarget target, std::move(found));
  auto merged = *target.tags;
  for (const auto& [k, v] : tags) merged[k] = v;
  if (merged.size() > 50) return InvalidParam("Number of tags exceeds resource tag limit.");
  *target.tags = std::move(merged);
  storage::WriteBatch batch;
  target.persist(batch);
  return CommitAndRelease(lock, std::move(batch));
}

Status FunctionService::UntagResource(const Scope& scope, const std::string& resource_arn,
                                      const std::vector<std::string>& keys) {
  std::unique_lock lock(mu_);
  LAMBDALITE_TRY(TagTarget target, FindTagTargetLocked(scope, resource_arn));
  for (const auto& k : keys) target.tags->erase(k);
  storage::WriteBatch batch;
  target.persist(batch);
  return CommitAndRelease(lock, std::move(batch));
}

Result<std::map<std::string, std::string>> FunctionService::ListTags(
    const Scope& scope, const std::string& resource_arn) const {
  // FindTagTargetLocked hands out a writable pointer; a shared lock and a copy keep this a read.
  std::shared_lock lock(mu_);
  LAMBDALITE_TRY(TagTarget target,
                 const_cast<FunctionService*>(this)->FindTagTargetLocked(scope, resource_arn));
  return *target.tags;
}

}  // namespace lambdalite::service
