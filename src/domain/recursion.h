#pragma once

// Recursive loop detection (AWS "Lambda recursive loop detection"). AWS counts, per triggering
// event, how many times each function has been invoked with it, in the `Lineage` field of the
// X-Ray trace header that the invocation carries (_X_AMZN_TRACE_ID inside the function; the AWS
// SDKs forward it as the X-Amzn-Trace-Id header of the calls the function makes). A function
// whose RecursiveLoop is Terminate is not invoked once the same event would invoke it more than
// 16 times: a synchronous Invoke answers RecursiveInvocationException, an asynchronous one sends
// the event to the dead-letter queue or on-failure destination.
//
// lambdalite's Lineage value is a list of "<function key>:<count>" entries joined by '|'
// (botocore percent-encodes '|' as "%7C" when it copies the variable into the header; both
// spellings are read). The key is 8 hex digits of a hash of the function's unqualified ARN, so
// the header names no function and two functions of a loop each keep their own count.

#include <string>
#include <string_view>

#include "domain/function.h"

namespace lambdalite::domain {

enum class RecursiveLoop { kTerminate, kAllow };

// AWS's default for every function (RC1).
inline constexpr RecursiveLoop kDefaultRecursiveLoop = RecursiveLoop::kTerminate;
// The invocations of one function by one event that AWS allows; the next one is stopped.
inline constexpr int kMaxRecursiveInvocations = 16;

constexpr std::string_view RecursiveLoopName(RecursiveLoop loop) {
  return loop == RecursiveLoop::kAllow ? "Allow" : "Terminate";
}
// "Allow" -> kAllow; anything else (the model admits only Allow|Terminate) -> kTerminate.
RecursiveLoop ParseRecursiveLoop(std::string_view name);

// The Lineage field's value in a trace header ("" when it has none).
std::string_view LineageOf(std::string_view trace_header);

// The function key of a function: 8 lower-case hex digits of a hash of its unqualified ARN
// (computed without building the ARN: this runs on every Invoke).
std::string LineageKey(const Scope& scope, std::string_view function_name);

struct LineageStep {
  int count = 0;        // invocations of the function by this event, this one included
  std::string lineage;  // the Lineage the invocation carries on (its entry set to `count`)
};
// The invocation of the function keyed `key` by an event whose trace header carried `incoming`
// (LineageOf; may be empty or malformed: unreadable entries are dropped).
LineageStep NextLineage(std::string_view incoming, std::string_view key);

// Whether an invocation that is the `count`th of its event is stopped under `loop`.
constexpr bool StopsRecursion(RecursiveLoop loop, int count) {
  return loop == RecursiveLoop::kTerminate && count > kMaxRecursiveInvocations;
}

}  // namespace lambdalite::domain
