#include "main/async_wiring.h"

namespace lambdalite::app {

Result<queue::AsyncSettings> FunctionAsyncSettings::Get(const domain::Scope& scope,
                                                        const std::string& function_name,
                                                        const std::string& qualifier) {
  queue::AsyncSettings settings;
  auto fn = functions_.GetFunction(scope, function_name, qualifier);
  if (!fn.ok()) {
    if (fn.error().code != ErrorCode::kNotFound) return std::move(fn).error();
    settings.function_exists = false;
    return settings;
  }
  settings.dead_letter_target_arn = fn->version->config.dead_letter_target_arn;
  settings.reserved_concurrency = fn->reserved_concurrency;
  auto config = functions_.GetEventInvokeConfig(scope, function_name, qualifier);
  if (config.ok()) {
    const domain::EventInvokeConfig& c = config->config;
    if (c.maximum_retry_attempts) settings.max_retry_attempts = *c.maximum_retry_attempts;
    if (c.maximum_event_age_seconds) settings.max_event_age_seconds = *c.maximum_event_age_seconds;
    settings.on_success = c.destinations.on_success;
    settings.on_failure = c.destinations.on_failure;
  }
  return settings;
}

Result<queue::AttemptResult> InvokeEventRunner::Run(const queue::Event& event) {
  service::InvokeInput input;
  input.function_name = event.function_name;
  input.qualifier = event.qualifier;
  input.payload = event.payload;
  input.request_id = event.request_id;
  input.lineage = event.lineage;  // the loop count goes on through Event invocations
  LAMBDALITE_TRY(auto result, invoke_.InvokeSync(event.scope, std::move(input)));
  queue::AttemptResult out;
  out.ran = true;
  out.status_code = 200;
  out.executed_version = std::move(result.executed_version);
  out.function_error = std::move(result.function_error);
  out.response_payload = std::move(result.payload);
  return out;
}

}  // namespace lambdalite::app
