#pragma once

// The invocation record: the JSON document AWS Lambda sends to an asynchronous invocation's
// destinations (the AWS Lambda behaviour reference, section 5.2).

#include <cstdint>
#include <string>
#include <string_view>

#include "queue/event.h"

namespace lambdalite::queue {

// The record as compact JSON text, with AWS's key order:
//
//   {"version":"1.0","timestamp":"2024-01-31T12:34:56.789Z",
//    "requestContext":{"requestId":..,"functionArn":..,"condition":..,"approximateInvokeCount":N},
//    "requestPayload":<payload>,
//    "responseContext":{"statusCode":200,"executedVersion":"$LATEST"[,"functionError":..]},
//    "responsePayload":<response>}
//
// The condition is spelled by ConditionName (queue/event.h). `function_arn_qualified` is always
// qualified (":$LATEST" for an unqualified invoke), as AWS writes it. approximateInvokeCount is
// event.attempts, and always 0 for ZeroReservedConcurrency. responseContext and responsePayload
// are left out when the function did not run for this outcome (ZeroReservedConcurrency, or
// `last.ran` false): AWS has no response to report then.
//
// Payloads are embedded as JSON values when they are valid JSON, with their own number and string
// spelling kept (only the whitespace between tokens is dropped): re-serializing a parsed value
// would rewrite 1.5 as 1.5E0 and round large integers. A payload that is not JSON is embedded as a
// JSON string (invalid UTF-8 replaced by U+FFFD so the record stays valid). An empty request
// payload is "{}", the event Lambda hands a function invoked without one; an empty response is
// null, what a function that returns nothing produces.
std::string BuildInvocationRecord(const Event& event, Condition condition,
                                  const AttemptResult& last,
                                  std::string_view function_arn_qualified, int64_t timestamp_ms);

// `payload` as a JSON value's text, by the rules above (empty -> `empty_value`).
std::string EmbeddableJson(std::string_view payload, std::string_view empty_value);

// The "errorMessage" member of a function error payload, or "" when there is none.
std::string ErrorMessageOf(std::string_view response_payload);

}  // namespace lambdalite::queue
