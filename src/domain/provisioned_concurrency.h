#pragma once

// Provisioned concurrency: a number of execution environments kept initialized for a published
// version or an alias (never $LATEST). The requested count and the time it was set are the
// configuration (durable); status and counts are the executor's progress (not stored: after a
// restart the environments start again, IN_PROGRESS until they are up).

#include <cstdint>
#include <string>

namespace lambdalite::domain {

inline constexpr const char* kProvisionedInProgress = "IN_PROGRESS";
inline constexpr const char* kProvisionedReady = "READY";
inline constexpr const char* kProvisionedFailed = "FAILED";
// AWS's StatusReason when the function's init phase fails in a provisioned environment.
inline constexpr const char* kProvisionedInitFailure = "FUNCTION_ERROR_INIT_FAILURE";

struct ProvisionedConcurrencyConfig {
  std::string qualifier;  // a version number or an alias name
  int requested = 0;
  int64_t last_modified_ms = 0;
  // Progress, reported by the executor.
  int allocated = 0;  // environments initialized
  int available = 0;  // of those, able to take an invocation
  std::string status = kProvisionedInProgress;
  std::string status_reason;  // only with FAILED
};

}  // namespace lambdalite::domain
