#pragma once

#include <string>

#include "common/error.h"
#include "http/handler.h"

namespace lambdalite::api {

// How an Error appears on the wire: AWS error type (x-amzn-ErrorType and the SDK's error code),
// HTTP status, and the body members AWS sends with it.
struct AwsError {
  int status;
  std::string type;
  std::string message;
  // AWS bodies differ per exception: some carry "Type":"User", some spell "Message" with a
  // capital M, ValidationException has neither (reference section 0.1).
  bool user_type;
  bool capital_message;
  std::string reason;  // TooManyRequestsException's Reason, when set
};

// The one mapping from protocol-neutral error codes to AWS errors.
AwsError ToAwsError(const Error& error);

// Renders an AwsError as an HTTP response (JSON body, x-amzn-ErrorType header).
http::HttpResponse RenderError(const AwsError& error);

}  // namespace lambdalite::api
