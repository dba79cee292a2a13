#pragma once

#include <string>
#include <utility>

namespace lambdalite {

// Protocol-neutral failure conditions. The API layer maps each one to an AWS error type and an
// HTTP status in exactly one place (api/errors.cc); its switch has no default, so -Wswitch reports
// a code added here and forgotten there.
enum class ErrorCode {
  kValidation,           // request violates a model constraint (AWS ValidationException)
  kInvalidParameter,     // semantically invalid parameter (InvalidParameterValueException)
  kInvalidContent,       // unparseable request body (InvalidRequestContentException)
  kNotFound,             // the named resource does not exist (ResourceNotFoundException)
  kConflict,             // resource exists / state conflict (ResourceConflictException)
  kPreconditionFailed,   // stale RevisionId (PreconditionFailedException)
  kTooManyRequests,      // throttled (TooManyRequestsException)
  kRequestTooLarge,      // body over the operation's limit (RequestEntityTooLargeException)
  kCodeStorageExceeded,  // account code storage limit (CodeStorageExceededException)
  kAccessDenied,         // presigned URL invalid or expired
  kUnknownOperation,     // no route matches the request (AWS: AccessDeniedException)
  kNotImplemented,       // a real AWS operation lambdalite does not implement yet
  kUnavailable,          // transient backend failure; retryable
  kInternal,             // a bug or an unexpected backend failure
};

// An expected failure, carried as a value. `message` is the exact text the client sees, so it is
// written for an operator (and, where AWS has one, is AWS's own wording).
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // Optional AWS-specific refinement (e.g. the `Reason` of a TooManyRequestsException, or an
  // error type name that differs from the default for `code`). Empty when not needed.
  std::string detail;
  // AWS sends a few answers without the usual "Type":"User" body member (recorded for the
  // reserved-concurrency limit and some alias routing errors); set to copy that.
  bool omit_type = false;

  static Error Make(ErrorCode code, std::string message, std::string detail = {}) {
    return Error{code, std::move(message), std::move(detail), false};
  }
  Error&& WithoutType() && {
    omit_type = true;
    return std::move(*this);
  }
};

}  // namespace lambdalite
