#pragma once

// Request decoding: from a routed HTTP request to the operation's input, checked against the
// service model the way AWS Lambda's front end checks it.
//
// Stateless and thread-safe. On the hot path (GetFunction, Invoke) a valid request costs a few
// small allocations for the output object and none for validation: patterns are DFAs compiled at
// build time (api/model.h) and error text is only built when something is wrong.

#include <boost/json/object.hpp>

#include "api/model.h"
#include "api/router.h"
#include "common/result.h"
#include "http/handler.h"

namespace lambdalite::api {

// Builds the input of `route.op` as one JSON object keyed by the model's member names
// ("FunctionName", "Qualifier", "DestinationConfig", ...), merged from
//  - the URI labels (`route.labels`),
//  - the query string, by each member's wire name; integer, long, double and boolean members are
//    converted, list members collect every occurrence,
//  - the headers, by wire name, case-insensitively,
//  - the body: when the input has a payload member, the raw body is that member (a blob keeps the
//    bytes unparsed as a JSON string; a structure payload is the parsed body); otherwise the body
//    is a JSON object whose known members are taken, unknown keys are dropped and `null` reads
//    as absent.
// Members absent from the request are absent from the object. Then the object is validated
// against the model (see ValidateInput).
//
// Errors:
//  - kInvalidContent, the body is not JSON or not UTF-8: "Could not parse request body into
//    json: ..." (AWS InvalidRequestContentException, the error code's default type).
//  - kInvalidContent with detail "SerializationException": a value of the wrong JSON type, e.g.
//    "STRING_VALUE can not be converted to an Integer", "Start of list found where not expected",
//    or query/URI text that does not convert to the member's type. AWS sends this one with a
//    "Message" (capital M) body member and no "Type".
//  - kValidation / kInvalidParameter as ValidateInput.
Result<boost::json::object> DecodeInput(const RouteMatch& route, const http::HttpRequest& request);

// Validates a decoded input of `op` against every model constraint and reports all violations at
// once, in AWS's words:
//   "2 validation errors detected: Value 'r1' at 'role' failed to satisfy constraint: Member must
//    satisfy regular expression pattern: arn:...; Value null at 'code' failed to satisfy
//    constraint: Member must not be null"
// Paths are the lowerCamelCase member names joined by '.' ('destinationConfig.onFailure.
// destination'); a structure inside a list is addressed as 'list.1.member.field'. A list or map
// whose elements, keys or values break their own constraints is reported once, at the
// collection's path, listing all of the element shape's constraints. Values of sensitive shapes
// are not echoed ("Value at 'environment.variables' ..."). Constraint order within one member:
// pattern, enum, length, value range.
//
// Errors: kValidation (AWS ValidationException) for model violations. When the model is
// satisfied, the AWS-specific checks of the override table in request_decoder.cc run; they fail
// with kInvalidParameter (InvalidParameterValueException), e.g. a CreateFunction FunctionName
// over 64 characters or a Runtime outside the supported set.
Status ValidateInput(const OperationInfo& op, const boost::json::object& input);

}  // namespace lambdalite::api
