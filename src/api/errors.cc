#include "api/errors.h"

#include <boost/json.hpp>

namespace lambdalite::api {

static AwsError ToAwsErrorImpl(const Error& e);

AwsError ToAwsError(const Error& e) {
  AwsError out = ToAwsErrorImpl(e);
  if (e.omit_type) out.user_type = false;
  return out;
}

static AwsError ToAwsErrorImpl(const Error& e) {
  // `detail` overrides the AWS type name where one ErrorCode covers several AWS exceptions.
  auto typed = [&](const char* fallback) {
    return e.detail.empty() ? std::string(fallback) : e.detail;
  };
  switch (e.code) {
    case ErrorCode::kValidation:
      return {400, typed("ValidationException"), e.message, false, false, {}};
    case ErrorCode::kInvalidParameter:
      // The code signing refusals are modelled with "Message" (capital), like RNF.
      if (e.detail == "CodeVerificationFailedException" ||
          e.detail == "InvalidCodeSignatureException") {
        return {400, e.detail, e.message, true, true, {}};
      }
      return {400, typed("InvalidParameterValueException"), e.message, true, false, {}};
    case ErrorCode::kInvalidContent:
      // SerializationException (a value of the wrong JSON type) comes with "Message" and no Type.
      if (e.detail == "SerializationException") {
        return {400, e.detail, e.message, false, true, {}};
      }
      return {400, typed("InvalidRequestContentException"), e.message, true, false, {}};
    case ErrorCode::kNotFound:
      // ProvisionedConcurrencyConfigNotFoundException comes with a lower-case "message" (PC9).
      if (e.detail == "ProvisionedConcurrencyConfigNotFoundException") {
        return {404, e.detail, e.message, true, false, {}};
      }
      // detail: CodeSigningConfigNotFoundException (same body members, reference CS19).
      return {404, typed("ResourceNotFoundException"), e.message, true, true, {}};
    case ErrorCode::kConflict:
      return {409, typed("ResourceConflictException"), e.message, true, false, {}};
    case ErrorCode::kPreconditionFailed:
      return {412, "PreconditionFailedException", e.message, true, false, {}};
    case ErrorCode::kTooManyRequests:
      return {429, "TooManyRequestsException", e.message, true, false, e.detail};
    case ErrorCode::kRequestTooLarge:
      return {413, "RequestEntityTooLargeException", e.message, false, false, {}};
    case ErrorCode::kCodeStorageExceeded:
      return {400, "CodeStorageExceededException", e.message, true, false, {}};
    case ErrorCode::kAccessDenied:
      // detail: the authentication layer's refusals (InvalidSignatureException,
      // UnrecognizedClientException, MissingAuthenticationTokenException,
      // IncompleteSignatureException), answered before any operation with a bare "message".
      if (!e.detail.empty()) return {403, e.detail, e.message, false, false, {}};
      return {403, "AccessDeniedException", e.message, false, true, {}};
    case ErrorCode::kUnknownOperation:
      return {403, "AccessDeniedException", e.message, false, true, {}};
    case ErrorCode::kNotImplemented:
      return {501, "NotImplementedException", e.message, false, false, {}};
    case ErrorCode::kUnavailable:
      return {503, "ServiceException", e.message, false, true, {}};
    case ErrorCode::kInternal:
      return {500, "ServiceException", e.message, false, true, {}};
  }
  return {500, "ServiceException", e.message, false, true, {}};
}

// Messages may quote client input byte for byte (AWS echoes the offending value); invalid UTF-8
// would make the JSON body unreadable, so such bytes become U+FFFD.
static std::string ValidUtf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool ok = len > 0 && i + len <= s.size() && !(len == 2 && c < 0xC2);
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (ok) {
      out.append(s, i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

http::HttpResponse RenderError(const AwsError& error) {
  boost::json::object body;
  if (error.user_type) body["Type"] = "User";
  if (error.type == "ServiceException") body["Type"] = "Service";
  if (error.type == "AccessDeniedException" && error.message.empty()) {
    body["Message"] = nullptr;  // AWS sends no message text here
  } else {
    body[error.capital_message ? "Message" : "message"] = ValidUtf8(error.message);
  }
  if (!error.reason.empty()) body["Reason"] = error.reason;
  http::HttpResponse resp;
  resp.status = error.status;
  resp.SetHeader("Content-Type", "application/json");
  resp.SetHeader("x-amzn-ErrorType", error.type);
  resp.body = boost::json::serialize(body);
  return resp;
}

}  // namespace lambdalite::api
