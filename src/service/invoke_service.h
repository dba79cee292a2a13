#pragma once

// InvokeService: the Invoke use case. Resolves the name and qualifier to the version that runs
// (alias weights included), checks the payload, and hands the invocation to the executor.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "executor/invoker.h"
#include "service/function_service.h"

namespace lambdalite::service {

struct InvokeInput {
  std::string function_name;
  std::optional<std::string> qualifier;
  std::string payload;
  std::string client_context;
  bool tail_log = false;
  std::string request_id;
  // The Lineage of the X-Amzn-Trace-Id header the call came with (domain/recursion.h), or of
  // the Event invocation that is running: how often this event has invoked which function.
  std::string lineage;
  // Response streaming (InvokeWithResponseStream; function URLs in RESPONSE_STREAM mode): when
  // set, a function that streams (Node's awslambda.streamifyResponse, the Python client's
  // lambdalite.streaming) sends its output here chunk by chunk as it writes it, see
  // executor::ResponseStreamSink; the result then says `streamed` and carries only the error, if
  // any. A function that does not stream still answers whole, in the result's payload. Only for
  // InvokeSync / TryInvokeSync.
  std::shared_ptr<executor::ResponseStreamSink> stream_sink;
};

// The version an invocation runs, as resolved from the name the caller used.
struct InvokeTarget {
  VersionPtr version;
  std::string function_name;
  std::string invoked_function_arn;  // unqualified when the caller gave no qualifier
  std::optional<int> reserved_concurrency;
  int unreserved_concurrency = 0;   // shared by the functions without a reservation
  int provisioned_concurrency = 0;  // every provisioned config of the function added up
  domain::RecursiveLoop recursive_loop = domain::kDefaultRecursiveLoop;
};

class InvokeService {
 public:
  InvokeService(FunctionService& functions, executor::Invoker& invoker,
                storage::CodeStore& code_store)
      : functions_(functions), invoker_(invoker), code_store_(code_store) {}

  // Resolves the target without running anything (DryRun; also the first step of Invoke).
  Result<InvokeTarget> Resolve(const domain::Scope& scope, const std::string& function_name,
                               const std::optional<std::string>& qualifier) const;

  // Counts this invocation in the event's lineage. Under Terminate, an event that would invoke
  // the function more than 16 times is refused with RecursiveInvocationException (400); an
  // Event invocation is refused so when it runs (the dispatcher sends it to the DLQ or
  // on-failure destination), not when it is accepted, as AWS does. Otherwise returns the
  // lineage the invocation carries on in its trace id.
  static Result<std::string> CountRecursion(const domain::Scope& scope, const InvokeTarget& target,
                                            std::string_view incoming_lineage);

  // Runs a synchronous invocation. Function errors are successful results with
  // function_error set; Errors are for requests that cannot run (not found, bad payload,
  // throttled).
  Result<executor::InvocationResult> InvokeSync(const domain::Scope& scope, InvokeInput input);

  // The non-blocking form of InvokeSync, for callers on an event loop (it never blocks). Returns
  // true when `done` has been or will be called, exactly once and from any thread, with what
  // InvokeSync would have returned: the request failed before running (not found, bad payload),
  // or a warm environment took it (executor::Invoker::TryInvokeAsync). Returns false, having run
  // nothing, when only InvokeSync can serve it (a cold start, throttling).
  bool TryInvokeSync(const domain::Scope& scope, InvokeInput input, executor::Invoker::Done done);

  // AWS's check of an Invoke payload: it must be JSON (an empty payload counts as "{}").
  static Status CheckPayload(const std::string& payload);

  // Stores an accepted asynchronous invocation durably (the async pipeline's entry point). The
  // name has been resolved and the payload checked when it is called.
  using EventSubmitter = std::function<Status(
      const domain::Scope& scope, const std::string& function_name, const InvokeInput& input)>;
  void SetEventSubmitter(EventSubmitter submitter) { submit_event_ = std::move(submitter); }

  // Accepts an InvocationType=Event invocation: checks the target and payload (at most
  // `max_payload` bytes), then stores it; returns once it is durable. The invocation runs later.
  Status InvokeAsync(const domain::Scope& scope, InvokeInput input, size_t max_payload);

 private:
  executor::InvokeRequest MakeRequest(const domain::Scope& scope, InvokeTarget target,
                                      InvokeInput input, std::string lineage) const;

  EventSubmitter submit_event_;
  FunctionService& functions_;
  executor::Invoker& invoker_;
  storage::CodeStore& code_store_;
};

}  // namespace lambdalite::service
