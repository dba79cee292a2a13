#pragma once

// The execution layer's contract: run one invocation of a function version in a (possibly warm)
// sandboxed execution environment, through the Lambda Runtime API.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "domain/function.h"
#include "executor/response_stream.h"

namespace lambdalite::executor {

struct InvokeRequest {
  domain::Scope scope;
  std::string function_name;
  // The version that runs (never an alias): its configuration and code are immutable.
  std::shared_ptr<const domain::FunctionVersion> version;
  // Local path of the deployment package zip (CodeStore::LocalPath).
  std::string code_path;
  // Local paths of the function's layer zips, in the order of its Layers: extracted into /opt in
  // that order, later ones overwriting earlier files.
  std::vector<std::string> layer_paths;
  // ARN the caller used: unqualified, ":$LATEST", ":<version>" or ":<alias>" (context's
  // invoked_function_arn).
  std::string invoked_function_arn;
  std::string request_id;
  std::string payload;                      // request body, already checked to be JSON
  std::string client_context;               // base64 X-Amz-Client-Context, may be empty
  std::optional<int> reserved_concurrency;  // the function's reserved concurrency, if any
  // Without a reservation: the concurrency the account's unreserved functions share (its limit
  // less every function's reservation), per account and region.
  int unreserved_concurrency = 1000;
  // The function's provisioned concurrency (every config added up). With a reservation, on-demand
  // invocations may use only the reservation less this; invocations served by a provisioned
  // environment are not limited by either.
  int provisioned_concurrency = 0;
  bool tail_log = false;  // X-Amz-Log-Type: Tail
  // The Lineage field of the invocation's trace id (domain/recursion.h); empty: none.
  std::string lineage;
  // Where a streamed response goes as it is produced (InvokeWithResponseStream, URLs in
  // RESPONSE_STREAM mode); null: a streamed response is collected into the result's payload, as
  // Invoke answers it.
  std::shared_ptr<ResponseStreamSink> stream_sink;
};

struct InvocationResult {
  // The function's response, or the runtime's error body (passed through untouched).
  std::string payload;
  // Empty on success; "Unhandled" for any function error (a successful Invoke with
  // X-Amz-Function-Error), matching AWS.
  std::string function_error;
  std::string executed_version;
  // Base64 of the last 4 KB of the log when tail_log was asked for.
  std::string log_result;
  bool timed_out = false;
  int64_t duration_ms = 0;
  // The runtime streamed its response to the request's stream_sink: `payload` is then empty on
  // success, or the error (from the Lambda-Runtime-Function-Error-* trailers, or the platform's
  // error such as a timeout) when function_error is set. Chunks sent before an error stand.
  bool streamed = false;
};

// Invoker runs invocations. Thread-safe; Invoke blocks the calling thread until the invocation
// ends (success, function error, timeout or crash). Errors (as opposed to function errors):
// kTooManyRequests with detail = AWS Reason ("ReservedFunctionConcurrentInvocationLimitExceeded",
// "ConcurrentInvocationLimitExceeded") when no environment may be started; kInternal /
// kUnavailable when the host cannot start an environment at all.
class Invoker {
 public:
  using Done = std::function<void(Result<InvocationResult>)>;

  virtual ~Invoker() = default;
  virtual Result<InvocationResult> Invoke(const InvokeRequest& request) = 0;
  // The non-blocking form of Invoke, for callers on an event loop: when the invocation can start
  // without blocking (an idle warm environment is free), starts it and returns true; `done` then
  // gets what Invoke would have returned, exactly once, on some other thread (or before this
  // returns). Otherwise (a cold start is needed, the invocation would be throttled, or the
  // invoker has no such path) returns false having started nothing and changed nothing; the
  // caller then uses Invoke. Never blocks. `request` is moved from only when it returns true.
  virtual bool TryInvokeAsync(InvokeRequest& request, Done& done) {
    (void)request;
    (void)done;
    return false;
  }
  // Retires every environment of a function (after an update or delete). Idempotent.
  virtual void RetireFunction(const domain::Scope& scope, const std::string& function_name) = 0;
};

}  // namespace lambdalite::executor
