// FunctionService: event source mappings (Create/Get/Update/Delete/ListEventSourceMappings), their
// TagHandler, and the side the pollers use (ListAll, Settle, Fail, SetEventSourceMappingResult;
// adapted to esm::MappingSource in src/main/esm_wiring.cc). Answers follow
// aws-lambda-behaviour-2.md section 8 (ES*, ET*); the unrecorded texts are sourced in
// docs/research/aws-error-messages.md ("Event source mappings").
//
// Mappings belong to the scope, not to a function: AWS keeps them when the function is deleted
// (DeleteFunction's API reference: "To delete Lambda event source mappings that invoke a function,
// use DeleteEventSourceMapping").
#include <mutex>

#include "esm/event_filter.h"
#include "service/function_service.h"
#include "service/paging.h"
#include "storage/esm_codec.h"

namespace lambdalite::service {

using domain::EventSourceMapping;
using domain::MappingState;
using domain::Scope;

namespace {

Error InvalidParam(std::string message) {
  return Error::Make(ErrorCode::kInvalidParameter, std::move(message));
}

// ES23, ES25 (and Delete, unrecorded but the same resource look-up).
Error MappingNotFound() {
  return Error::Make(ErrorCode::kNotFound, "The resource you requested does not exist.");
}

storage::WriteOp Put(const Scope& scope, const EventSourceMapping& m,
                     const std::map<std::string, std::string>& tags) {
  return storage::PutRecord{scope, std::string(storage::kEsmRecordKind), m.uuid, "",
                            storage::EncodeEsm(storage::StoredEsm{m, tags})};
}

storage::WriteOp Drop(const Scope& scope, const std::string& uuid) {
  return storage::DeleteRecord{scope, std::string(storage::kEsmRecordKind), uuid};
}

// ES29 (SQS, recorded) and the streams' wording (quoted by aws/serverless-application-model#2011,
// anomalyco/sst#5975): the function is named as the caller's FunctionName resolved, bare.
Error Duplicate(const EventSourceMapping& existing, const std::string& function_name) {
  if (existing.kind == domain::EventSourceKind::kSqs) {
    return Error::Make(ErrorCode::kConflict,
                       "An event source mapping with SQS arn (\" " + existing.event_source_arn +
                           " \") and function (\" " + function_name +
                           " \") already exists. Please update or delete the existing mapping "
                           "with UUID " +
                           existing.uuid);
  }
  return Error::Make(ErrorCode::kConflict,
                     "The event source arn (\" " + existing.event_source_arn +
                         " \") and function (\" " + function_name +
                         " \") provided mapping already exists. Please update or delete the "
                         "existing mapping with UUID " +
                         existing.uuid);
}

Status CheckFilters(const domain::EventSourceMappingInput& input) {
  if (!input.filter_patterns) return Status::Ok();
  // ES37: the filter library answers AWS's "Invalid filter pattern definition.".
  auto parsed = esm::EventFilter::Parse(*input.filter_patterns);
  if (!parsed.ok()) return std::move(parsed).error();
  return Status::Ok();
}

}  // namespace

Result<FunctionService::EsmFunction> FunctionService::ResolveEsmFunction(
    const Scope& scope, const std::string& function_name) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  // ES27: 400, not the usual 404. A qualifier naming no version or alias gets the same answer
  // (UNVERIFIED, research notes).
  Error missing = InvalidParam("Function does not exist");
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return missing;
  EsmFunction out;
  out.name = t.name;
  if (t.qualifier) {
    if (*t.qualifier != domain::kLatest && !QualifierExistsLocked(*fn, *t.qualifier)) {
      return missing;
    }
    out.qualifier = *t.qualifier;
    out.arn = domain::QualifiedFunctionArn(scope, t.name, *t.qualifier);  // ES2..ES4
  } else {
    out.arn = domain::FunctionArn(scope, t.name);  // ES1
  }
  return out;
}

Result<EventSourceMappingView> FunctionService::CreateEventSourceMapping(
    const Scope& scope, const std::string& function_name,
    const domain::EventSourceMappingInput& input, const std::map<std::string, std::string>& tags) {
  // The source's rules come before the function (ES26, ES28), the filters after them.
  LAMBDALITE_TRY(EventSourceMapping m, domain::NewEventSourceMapping(input));
  LAMBDALITE_RETURN_IF_ERROR(CheckFilters(input));
  LAMBDALITE_TRY(EsmFunction fn, ResolveEsmFunction(scope, function_name));
  m.function_name = fn.name;
  m.qualifier = fn.qualifier;
  m.function_arn = fn.arn;
  m.uuid = domain::NewMappingUuid();
  m.revision = 1;
  // ES32: the pollers' check that the source exists (slow: outside the lock). It sees the mapping
  // as it will be stored.
  if (esm_checker_) LAMBDALITE_RETURN_IF_ERROR(esm_checker_(scope, m));
  std::unique_lock lock(mu_);
  if (!FindLocked(scope, fn.name)) return InvalidParam("Function does not exist");
  auto& mappings = esms_[scope];
  for (const auto& [uuid, other] : mappings) {
    if (other.mapping.state != MappingState::kDeleting &&
        other.mapping.event_source_arn == m.event_source_arn &&
        other.mapping.function_arn == m.function_arn) {
      return Duplicate(other.mapping, fn.name);  // ES29
    }
  }
  while (mappings.count(m.uuid)) m.uuid = domain::NewMappingUuid();
  m.last_modified_ms = clock_.NowMillis();
  EsmState state{m, tags, IsStreamKind(m.kind) ? std::string(domain::kNoRecordsProcessed) : ""};
  EventSourceMappingView view{m, domain::EventSourceMappingArn(scope, m.uuid),
                              state.last_processing_result};
  storage::WriteBatch batch;
  batch.ops.push_back(Put(scope, m, tags));
  mappings.emplace(m.uuid, std::move(state));
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  NotifyEsmChanged();
  return view;
}

Result<EventSourceMappingView> FunctionService::GetEventSourceMapping(
    const Scope& scope, const std::string& uuid) const {
  std::shared_lock lock(mu_);
  auto s = esms_.find(scope);
  if (s == esms_.end()) return MappingNotFound();
  auto it = s->second.find(uuid);
  if (it == s->second.end()) return MappingNotFound();
  return EventSourceMappingView{it->second.mapping, domain::EventSourceMappingArn(scope, uuid),
                                it->second.last_processing_result};
}

Result<EventSourceMappingView> FunctionService::UpdateEventSourceMapping(
    const Scope& scope, const std::string& uuid, const std::optional<std::string>& function_name,
    const domain::EventSourceMappingInput& input) {
  EventSourceMapping before;
  {
    std::shared_lock lock(mu_);
    auto s = esms_.find(scope);
    if (s == esms_.end() || !s->second.count(uuid)) return MappingNotFound();  // ES25
    before = s->second.at(uuid).mapping;
  }
  LAMBDALITE_TRY(EventSourceMapping after, domain::UpdatedEventSourceMapping(before, input));
  LAMBDALITE_RETURN_IF_ERROR(CheckFilters(input));
  if (function_name) {
    LAMBDALITE_TRY(EsmFunction fn, ResolveEsmFunction(scope, *function_name));
    after.function_name = fn.name;
    after.qualifier = fn.qualifier;
    after.function_arn = fn.arn;  // ES10
  }
  std::unique_lock lock(mu_);
  auto s = esms_.find(scope);
  if (s == esms_.end() || !s->second.count(uuid)) return MappingNotFound();
  EsmState& state = s->second.at(uuid);
  if (state.mapping.state == MappingState::kDeleting) {
    // UNVERIFIED text (research notes): AWS's type for a mapping that is being deleted.
    return Error::Make(ErrorCode::kInvalidParameter,
                       "Cannot update the event source mapping because it is in use.",
                       "ResourceInUseException");
  }
  if (state.mapping.revision != before.revision) {
    // Another change came in meanwhile: apply this one to the newest mapping instead.
    LAMBDALITE_TRY(EventSourceMapping redone,
                   domain::UpdatedEventSourceMapping(state.mapping, input));
    redone.function_name = after.function_name;
    redone.qualifier = after.qualifier;
    redone.function_arn = after.function_arn;
    before = state.mapping;
    after = std::move(redone);
  }
  after.state = domain::NextStateAfterUpdate(before, after);  // ES9, ES10
  after.revision = before.revision + 1;
  after.last_modified_ms = clock_.NowMillis();
  state.mapping = after;
  storage::WriteBatch batch;
  batch.ops.push_back(Put(scope, after, state.tags));
  EventSourceMappingView view{after, domain::EventSourceMappingArn(scope, uuid),
                              state.last_processing_result};
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  NotifyEsmChanged();
  return view;
}

Result<EventSourceMappingView> FunctionService::DeleteEventSourceMapping(const Scope& scope,
                                                                         const std::string& uuid) {
  std::unique_lock lock(mu_);
  auto s = esms_.find(scope);
  if (s == esms_.end()) return MappingNotFound();
  auto it = s->second.find(uuid);
  if (it == s->second.end()) return MappingNotFound();
  EsmState& state = it->second;
  // ES12: the answer is the mapping in state Deleting; a second Delete answers the same.
  if (state.mapping.state != MappingState::kDeleting) {
    state.mapping.state = MappingState::kDeleting;
    state.mapping.revision += 1;
    state.mapping.last_modified_ms = clock_.NowMillis();
  }
  EventSourceMappingView view{state.mapping, domain::EventSourceMappingArn(scope, uuid),
                              state.last_processing_result};
  storage::WriteBatch batch;
  batch.ops.push_back(Put(scope, state.mapping, state.tags));
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  NotifyEsmChanged();
  return view;
}

Result<Page<EventSourceMappingView>> FunctionService::ListEventSourceMappings(
    const Scope& scope, const std::optional<std::string>& event_source_arn,
    const std::optional<std::string>& function_name, const std::optional<std::string>& marker,
    int max_items) const {
  // FunctionName filters by the function (any qualifier) when unqualified, else by the exact ARN.
  std::optional<std::string> name_filter;
  std::optional<std::string> arn_filter;
  if (function_name) {
    auto t = ResolveTarget(scope, *function_name, std::nullopt);
    if (!t.ok()) return std::move(t).error();
    if (t->qualifier) {
      arn_filter = domain::QualifiedFunctionArn(scope, t->name, *t->qualifier);
    } else {
      name_filter = t->name;
    }
  }
  std::vector<EventSourceMappingView> all;
  {
    std::shared_lock lock(mu_);
    auto s = esms_.find(scope);
    if (s != esms_.end()) {
      for (const auto& [uuid, state] : s->second) {
        const EventSourceMapping& m = state.mapping;
        if (event_source_arn && m.event_source_arn != *event_source_arn) continue;
        if (name_filter && m.function_name != *name_filter) continue;
        if (arn_filter && m.function_arn != *arn_filter) continue;
        all.push_back(
            {m, domain::EventSourceMappingArn(scope, uuid), state.last_processing_result});
      }
    }
  }
  return Paginate(std::move(all), marker, max_items,
                  [](const EventSourceMappingView& v) { return v.mapping.uuid; });
}

void FunctionService::SetEventSourceChecker(EventSourceChecker checker) {
  std::unique_lock lock(mu_);
  esm_checker_ = std::move(checker);
}

void FunctionService::SetEventSourceMappingListener(std::function<void()> listener) {
  std::unique_lock lock(mu_);
  esm_listener_ = std::move(listener);
}

std::vector<ScopedEventSourceMapping> FunctionService::ListAllEventSourceMappings() const {
  std::vector<ScopedEventSourceMapping> out;
  std::shared_lock lock(mu_);
  for (const auto& [scope, mappings] : esms_) {
    for (const auto& [uuid, state] : mappings) out.push_back({scope, state.mapping});
  }
  return out;
}

void FunctionService::SettleEventSourceMapping(const Scope& scope, const std::string& uuid,
                                               uint64_t revision) {
  std::unique_lock lock(mu_);
  auto s = esms_.find(scope);
  if (s == esms_.end()) return;
  auto it = s->second.find(uuid);
  // Gone, or changed since the poller manager looked: the newer revision gets its own settle.
  if (it == s->second.end() || it->second.mapping.revision != revision) return;
  storage::WriteBatch batch;
  if (it->second.mapping.state == MappingState::kDeleting) {
    batch.ops.push_back(Drop(scope, uuid));  // the tags live in the same record
    s->second.erase(it);
  } else {
    std::optional<MappingState> settled = domain::SettledState(it->second.mapping);
    if (!settled) return;
    it->second.mapping.state = *settled;
    batch.ops.push_back(Put(scope, it->second.mapping, it->second.tags));
  }
  // A failed commit reloads memory from the store; the manager settles again on its next pass.
  if (!CommitAndRelease(lock, std::move(batch)).ok()) return;
  NotifyEsmChanged();
}

void FunctionService::FailEventSourceMapping(const Scope& scope, const std::string& uuid,
                                             uint64_t revision, const std::string& reason) {
  std::unique_lock lock(mu_);
  auto s = esms_.find(scope);
  if (s == esms_.end()) return;
  auto it = s->second.find(uuid);
  if (it == s->second.end() || it->second.mapping.revision != revision) return;
  storage::WriteBatch batch;
  if (it->second.mapping.state == MappingState::kDeleting) {
    // Nothing is left to fail: the mapping goes as asked.
    batch.ops.push_back(Drop(scope, uuid));
    s->second.erase(it);
  } else {
    // The revision stays: the manager has acted on it, and a user's next change bumps it.
    it->second.mapping.state = MappingState::kDisabled;
    it->second.mapping.state_transition_reason = reason;
    batch.ops.push_back(Put(scope, it->second.mapping, it->second.tags));
  }
  if (!CommitAndRelease(lock, std::move(batch)).ok()) return;
  NotifyEsmChanged();
}

void FunctionService::SetEventSourceMappingResult(const Scope& scope, const std::string& uuid,
                                                  const std::string& result) {
  std::unique_lock lock(mu_);
  auto s = esms_.find(scope);
  if (s == esms_.end()) return;
  auto it = s->second.find(uuid);
  if (it != s->second.end()) it->second.last_processing_result = result;
}

void FunctionService::RegisterEventSourceMappingTags() {
  TagHandler handler;
  // Both run under the state lock (TagHandler's contract).
  handler.find = [this](const Scope& scope,
                        const std::string& uuid) -> std::map<std::string, std::string>* {
    auto s = esms_.find(scope);
    if (s == esms_.end()) return nullptr;
    auto it = s->second.find(uuid);
    return it == s->second.end() ? nullptr : &it->second.tags;
  };
  handler.persist = [this](const Scope& scope, const std::string& uuid, storage::WriteBatch& b) {
    const EsmState& state = esms_.at(scope).at(uuid);
    b.ops.push_back(Put(scope, state.mapping, state.tags));
  };
  SetTagHandler(domain::TaggableKind::kEventSourceMapping, std::move(handler));
}

Status FunctionService::LoadEsmLocked(const storage::StoredRecord& record) {
  LAMBDALITE_TRY(storage::StoredEsm stored, storage::DecodeEsm(record.body));
  EsmState state{std::move(stored.mapping), std::move(stored.tags), ""};
  if (IsStreamKind(state.mapping.kind)) {
    state.last_processing_result = std::string(domain::kNoRecordsProcessed);
  }
  esms_[record.scope][record.key] = std::move(state);
  return Status::Ok();
}

}  // namespace lambdalite::service
