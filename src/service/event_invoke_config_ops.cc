// FunctionService: asynchronous-invocation configuration (Put/Get/Update/Delete/List
// FunctionEventInvokeConfig). The rules follow recorded AWS answers (reference section 1.7):
// Put/Update/List check that the function exists ("The function doesn't exist."), Get/Delete
// never do and always answer "The function <qualified arn> doesn't have an EventInvokeConfig".
#include <mutex>

#include "service/function_service.h"
#include "service/paging.h"

namespace lambdalite::service {

using domain::Scope;

namespace {

Error FunctionDoesNotExist() {
  return Error::Make(ErrorCode::kNotFound, "The function doesn't exist.");
}

Error NoConfig(const Scope& scope, std::string_view name, std::string_view qualifier) {
  return Error::Make(ErrorCode::kNotFound,
                     "The function " + domain::QualifiedFunctionArn(scope, name, qualifier) +
                         " doesn't have an EventInvokeConfig");
}

bool NothingSpecified(const EventInvokeConfigInput& in) {
  return !in.maximum_retry_attempts && !in.maximum_event_age_seconds && !in.has_destination_config;
}

Error NothingSpecifiedError() {
  return Error::Make(ErrorCode::kInvalidParameter,
                     "You must specify at least one of error handling or destination setting.");
}

// "arn:aws:sqs:us-east-1:123456789012:queue" -> "sqs"; empty when not an ARN.
std::string_view ArnService(std::string_view arn) {
  if (arn.substr(0, 4) != "arn:") return {};
  size_t p1 = arn.find(':', 4);
  if (p1 == std::string_view::npos) return {};
  size_t p2 = arn.find(':', p1 + 1);
  if (p2 == std::string_view::npos) return {};
  return arn.substr(p1 + 1, p2 - p1 - 1);
}

}  // namespace

Status FunctionService::ValidateDestinations(const Scope& scope, const std::string& name,
                                             const EventInvokeConfigInput& in) const {
  for (const auto* side : {&in.on_success, &in.on_failure}) {
    if (!*side || !**side || (**side)->empty()) continue;
    const std::string& arn = ***side;
    std::string_view service = ArnService(arn);
    if (service == "lambda") {
      auto ref = domain::ParseFunctionName(arn);
      if (ref.ok() && ref->name == name) {
        return Error::Make(ErrorCode::kInvalidParameter,
                           "You can't specify the function as a destination for itself.");
      }
      bool exists = ref.ok() && FindLocked(scope, ref->name) != nullptr &&
                    (!ref->region || *ref->region == scope.region) &&
                    (!ref->account || *ref->account == scope.account);
      if (!exists) {
        return Error::Make(ErrorCode::kInvalidParameter,
                           "The destination ARN " + arn + " is invalid.");
      }
    } else if (service == "sqs" || service == "sns" || service == "events" ||
               (service == "s3" && side == &in.on_failure)) {
      continue;
    } else {
      // AWS prints its Java DestinationConfig object; an unset side is "null".
      auto render = [](const char* type, const std::optional<std::optional<std::string>>& s) {
        if (!s) return std::string("null");
        return std::string(type) + "(destination=" + (*s ? **s : std::string("null")) + ")";
      };
      return Error::Make(ErrorCode::kInvalidParameter,
                         "The provided destination config DestinationConfig(onSuccess=" +
                             render("OnSuccess", in.on_success) +
                             ", onFailure=" + render("OnFailure", in.on_failure) + ") is invalid.");
    }
  }
  return Status::Ok();
}

static void ApplyInput(domain::EventInvokeConfig& c, const EventInvokeConfigInput& in) {
  if (in.maximum_retry_attempts) c.maximum_retry_attempts = in.maximum_retry_attempts;
  if (in.maximum_event_age_seconds) c.maximum_event_age_seconds = in.maximum_event_age_seconds;
  auto clean = [](const std::optional<std::string>& d) -> std::optional<std::string> {
    if (!d || d->empty()) return std::nullopt;
    return d;
  };
  if (in.on_success) c.destinations.on_success = clean(*in.on_success);
  if (in.on_failure) c.destinations.on_failure = clean(*in.on_failure);
}

Result<EventInvokeConfigView> FunctionService::PutEventInvokeConfig(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier, const EventInvokeConfigInput& in) {
  // Observed order: "at least one setting" before the qualifier pair before existence.
  if (NothingSpecified(in)) return NothingSpecifiedError();
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  const std::string q = t.qualifier.value_or(std::string(domain::kLatest));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn || !QualifierExistsLocked(*fn, q)) return FunctionDoesNotExist();
  LAMBDALITE_RETURN_IF_ERROR(ValidateDestinations(scope, t.name, in));
  domain::EventInvokeConfig config;  // Put replaces the whole configuration
  config.qualifier = q;
  return SaveEventInvokeConfig(lock, scope, t.name, *fn, q, std::move(config), in);
}

Result<EventInvokeConfigView> FunctionService::UpdateEventInvokeConfig(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier, const EventInvokeConfigInput& in) {
  if (NothingSpecified(in)) return NothingSpecifiedError();
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  const std::string q = t.qualifier.value_or(std::string(domain::kLatest));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return FunctionDoesNotExist();
  auto it = fn->event_invoke_configs.find(q);
  if (it == fn->event_invoke_configs.end()) return NoConfig(scope, t.name, q);
  LAMBDALITE_RETURN_IF_ERROR(ValidateDestinations(scope, t.name, in));
  // Update merges into what is stored.
  return SaveEventInvokeConfig(lock, scope, t.name, *fn, q, it->second, in);
}

Result<EventInvokeConfigView> FunctionService::SaveEventInvokeConfig(
    std::unique_lock<std::shared_mutex>& lock, const Scope& scope, const std::string& name,
    FunctionState& fn, const std::string& qualifier, domain::EventInvokeConfig config,
    const EventInvokeConfigInput& in) {
  ApplyInput(config, in);
  config.last_modified_ms = clock_.NowMillis();
  fn.event_invoke_configs[qualifier] = config;
  storage::WriteBatch batch;
  batch.ops.push_back(storage::PutEventInvokeConfig{scope, name, config});
  LAMBDALITE_RETURN_IF_ERROR(CommitAndRelease(lock, std::move(batch)));
  return EventInvokeConfigView{config, domain::QualifiedFunctionArn(scope, name, qualifier)};
}

Result<EventInvokeConfigView> FunctionService::GetEventInvokeConfig(
    const Scope& scope, const std::string& function_name,
    const std::optional<std::string>& qualifier) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  const std::string q = t.qualifier.value_or(std::string(domain::kLatest));
  std::shared_lock lock(mu_);
  const FunctionState* fn = FindLocked(scope, t.name);
  if (!fn) return NoConfig(scope, t.name, q);
  auto it = fn->event_invoke_configs.find(q);
  if (it == fn->event_invoke_configs.end()) return NoConfig(scope, t.name, q);
  return EventInvokeConfigView{it->second, domain::QualifiedFunctionArn(scope, t.name, q)};
}

Status FunctionService::DeleteEventInvokeConfig(const Scope& scope,
                                                const std::string& function_name,
                                                const std::optional<std::string>& qualifier) {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, qualifier));
  const std::string q = t.qualifier.value_or(std::string(domain::kLatest));
  std::unique_lock lock(mu_);
  FunctionState* fn = FindLocked(scope, t.name);
  if (!fn || fn->event_invoke_configs.erase(q) == 0) return NoConfig(scope, t.name, q);
  storage::WriteBatch batch;
  batch.ops.push_back(storage::DeleteEventInvokeConfig{scope, t.name, q});
  return CommitAndRelease(lock, std::move(batch));
}

Result<Page<EventInvokeConfigView>> FunctionService::ListEventInvokeConfigs(
    const Scope& scope, const std::string& function_name, const std::optional<std::string>& marker,
    int max_items) const {
  LAMBDALITE_TRY(auto t, ResolveTarget(scope, function_name, std::nullopt));
  std::vector<EventInvokeConfigView> all;
  {
    std::shared_lock lock(mu_);
    const FunctionState* fn = FindLocked(scope, t.name);
    if (!fn) return FunctionDoesNotExist();
    for (const auto& [q, c] : fn->event_invoke_configs) {
      all.push_back(EventInvokeConfigView{c, domain::QualifiedFunctionArn(scope, t.name, q)});
    }
  }
  return Paginate(std::move(all), marker, max_items,
                  [](const EventInvokeConfigView& v) { return v.config.qualifier; });
}

}  // namespace lambdalite::service
