#include "main/esm_invoker.h"

#include <utility>

#include "common/ids.h"

namespace lambdalite::app {

Result<esm::InvokeOutcome> InvokeServiceFunctionInvoker::Invoke(const domain::Scope& scope,
                                                                const std::string& function_name,
                                                                const std::string& qualifier,
                                                                std::string payload) {
  service::InvokeInput input;
  input.function_name = function_name;
  if (!qualifier.empty()) input.qualifier = qualifier;
  input.payload = std::move(payload);
  input.request_id = NewUuid();
  std::string request_id = input.request_id;
  LAMBDALITE_TRY(executor::InvocationResult result, invoke_.InvokeSync(scope, std::move(input)));
  esm::InvokeOutcome outcome;
  outcome.payload = std::move(result.payload);
  if (!result.function_error.empty()) {
    outcome.function_error = std::move(result.function_error);
  } else if (result.timed_out) {
    outcome.function_error = "Unhandled";
  }
  outcome.request_id = std::move(request_id);
  return outcome;
}

}  // namespace lambdalite::app
