#pragma once

// The seams between the event source mapping pollers (this folder) and the rest of lambdalite.
// The pollers see mappings and run functions only through these interfaces; src/main wires them
// to service::FunctionService and service::InvokeService. Every implementation is thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "domain/event_source_mapping.h"
#include "domain/function.h"

namespace lambdalite::esm {

struct MappingView {
  domain::Scope scope;
  domain::EventSourceMapping mapping;
};

// The control plane's mappings, as the pollers need them.
class MappingSource {
 public:
  virtual ~MappingSource() = default;

  // Every mapping of every scope, Deleting ones included.
  virtual std::vector<MappingView> List() const = 0;

  // Called (from any thread, never under a lock a caller of the source could hold) after every
  // change to any mapping; the poller manager then reconciles. One listener.
  virtual void SetChangeListener(std::function<void()> listener) = 0;

  // The poller manager has acted on revision `revision` of the mapping: Creating, Enabling and
  // Updating become Enabled (or Disabled when the mapping is not enabled), Disabling becomes
  // Disabled, and a Deleting mapping is removed for good (with its tags). Nothing happens when the
  // mapping has moved on to a newer revision or is gone. Durable before it returns.
  virtual void Settle(const domain::Scope& scope, const std::string& uuid, uint64_t revision) = 0;

  // The mapping could not be acted on for good (its queue or stream is gone, ...): AWS's failure
  // state, e.g. State Disabled with StateTransitionReason `reason`. Durable before it returns.
  virtual void Fail(const domain::Scope& scope, const std::string& uuid, uint64_t revision,
                    const std::string& reason) = 0;

  // LastProcessingResult ("OK", "PROBLEM: Function call failed", ...). Kept in memory only: it
  // changes with every batch and says nothing that must survive a restart.
  virtual void SetLastProcessingResult(const domain::Scope& scope, const std::string& uuid,
                                       const std::string& result) = 0;
};

// What one synchronous invocation of a mapping's function gave.
struct InvokeOutcome {
  std::string payload;                        // the function's response (or its error document)
  std::optional<std::string> function_error;  // "Unhandled" / "Handled" when the function failed
  std::string request_id;
};

// Runs a mapping's function synchronously, as AWS's pollers do (InvocationType RequestResponse).
// Errors are for invocations that did not run (function gone: kNotFound; throttled:
// kTooManyRequests or kUnavailable, to be retried); a function error is a successful outcome with
// function_error set.
class FunctionInvoker {
 public:
  virtual ~FunctionInvoker() = default;
  virtual Result<InvokeOutcome> Invoke(const domain::Scope& scope, const std::string& function_name,
                                       const std::string& qualifier, std::string payload) = 0;
};

}  // namespace lambdalite::esm
