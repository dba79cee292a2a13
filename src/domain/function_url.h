#pragma once

// Function URL configs (CreateFunctionUrlConfig & co.) and the authorization rule of their data
// plane. Pure values and rules: no I/O, no JSON.
//
// A config belongs to a function's unqualified name (qualifier "") or to one alias. Its URL id is
// 32 characters of [a-z0-9] like AWS's, drawn at random once at creation and stored with the
// config, so the URL never changes (restarts included).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/policy.h"

namespace lambdalite::domain {

inline constexpr std::string_view kUrlAuthNone = "NONE";
inline constexpr std::string_view kUrlAuthIam = "AWS_IAM";
inline constexpr std::string_view kInvokeModeBuffered = "BUFFERED";
inline constexpr std::string_view kInvokeModeStream = "RESPONSE_STREAM";
inline constexpr size_t kUrlIdLength = 32;

// The model's Cors: every member optional, kept as given.
struct UrlCors {
  std::optional<bool> allow_credentials;
  std::optional<std::vector<std::string>> allow_headers;
  std::optional<std::vector<std::string>> allow_methods;
  std::optional<std::vector<std::string>> allow_origins;
  std::optional<std::vector<std::string>> expose_headers;
  std::optional<int> max_age;
  friend bool operator==(const UrlCors&, const UrlCors&) = default;
};

struct FunctionUrlConfig {
  std::string qualifier;  // "" for the unqualified function, else an alias name
  std::string url_id;     // kUrlIdLength of [a-z0-9]
  std::string auth_type;  // kUrlAuthNone or kUrlAuthIam
  // As last sent; unset when neither Create nor an Update named one (Create and Update then
  // answer without InvokeMode, Get and List with BUFFERED: recorded FU1..FU4).
  std::optional<std::string> invoke_mode;
  std::optional<UrlCors> cors;
  int64_t creation_ms = 0;
  int64_t last_modified_ms = 0;
  friend bool operator==(const FunctionUrlConfig&, const FunctionUrlConfig&) = default;
};

// A new random URL id.
std::string NewUrlId();
// Whether `text` has the shape of a URL id (kUrlIdLength of [a-z0-9]).
bool IsUrlId(std::string_view text);

// Who calls a function URL, as its authorization sees them.
struct UrlCaller {
  bool signed_request = false;  // a valid SigV4 signature (AWS_IAM)
  std::string account;          // the signer's account when signed
};

// AWS's rule for a function URL (docs/research/aws-error-messages.md, "Function URLs"):
//  - NONE: the policy must allow lambda:InvokeFunctionUrl to "*" under the condition
//    lambda:FunctionUrlAuthType = NONE, and (for URLs created since October 2025, which every
//    lambdalite URL is) lambda:InvokeFunction to "*" too, with no condition or with
//    lambda:InvokedViaFunctionUrl = true.
//  - AWS_IAM: the request must be signed; a caller of the function's own account is authorized
//    by its identity (lambdalite has no IAM: a key of the account may do anything), any other
//    account needs both actions granted to it (or "*") by the policy, InvokeFunctionUrl under
//    FunctionUrlAuthType = AWS_IAM.
// `statements` is the policy of the URL's qualifier.
bool UrlInvokeAllowed(const std::vector<PolicyStatement>& statements, std::string_view auth_type,
                      std::string_view function_account, const UrlCaller& caller);

}  // namespace lambdalite::domain
