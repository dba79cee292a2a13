#pragma once

// esm::FunctionInvoker over service::InvokeService: how the event source mapping pollers run a
// mapping's function (synchronously, as AWS's pollers do).

#include <string>

#include "esm/mapping_source.h"
#include "service/invoke_service.h"

namespace lambdalite::app {

class InvokeServiceFunctionInvoker final : public esm::FunctionInvoker {
 public:
  explicit InvokeServiceFunctionInvoker(service::InvokeService& invoke) : invoke_(invoke) {}

  // `qualifier` "" invokes the unqualified function. Errors are InvokeService's (kNotFound when
  // the function is gone, kTooManyRequests when throttled); a function error or timeout is an
  // outcome with function_error "Unhandled".
  Result<esm::InvokeOutcome> Invoke(const domain::Scope& scope, const std::string& function_name,
                                    const std::string& qualifier, std::string payload) override;

 private:
  service::InvokeService& invoke_;
};

}  // namespace lambdalite::app
