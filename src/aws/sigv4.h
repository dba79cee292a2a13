#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "aws/http_client.h"
#include "common/result.h"

namespace lambdalite::aws {

// ---- Outgoing requests: AWS Signature Version 4 -------------------------------------------------

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless the credentials are temporary
};

// Per-service differences in how a request is canonicalized.
struct SigningOptions {
  // Every service except S3 signs the path as sent, percent-encoded a second time ("%" becomes
  // "%25"), after removing "." and ".." segments. S3 signs each path segment encoded exactly once
  // and never normalizes the path, since "a/../b" is a legal object key.
  bool double_encode_path = true;
  bool normalize_path = true;
  // S3 requires the payload hash in an x-amz-content-sha256 header (and it is then signed).
  bool add_content_sha256_header = false;
  // Replaces the hex SHA-256 of the body, e.g. "UNSIGNED-PAYLOAD".
  std::optional<std::string> payload_hash;

  // The options AWS SDKs use for `service` ("s3" versus everything else).
  static SigningOptions ForService(std::string_view service);
};

struct SigningParams {
  Credentials credentials;
  std::string region;   // e.g. "us-east-1"
  std::string service;  // signing name, e.g. "s3", "sqs", "sns", "events"
  int64_t time_ms = 0;  // signing time, Unix epoch milliseconds (UTC)
  SigningOptions options;
};

// The intermediate values of a signature, exposed so tests can compare each step with the AWS
// documentation's examples.
struct SignatureParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // lower-case hex
  std::string authorization;   // full Authorization header value
};

// Computes the signature of `request` as SignRequest would send it, without modifying it.
Result<SignatureParts> ComputeSignature(const ClientRequest& request, const SigningParams& params);

// Signs `request` in place. Sets Host (when absent, from the URL), X-Amz-Date,
// X-Amz-Security-Token (with a session token), x-amz-content-sha256 (when the options ask for it)
// and Authorization. Every header already present is signed except Authorization, User-Agent,
// Expect, Connection, Content-Length, Transfer-Encoding and X-Amzn-Trace-Id, which proxies and the
// HTTP client may change. Fails (kInternal) only on a malformed URL.
Status SignRequest(const SigningParams& params, ClientRequest* request);

// The canonical-URI and canonical-query-string steps, exposed for tests. `encoded_path` and
// `encoded_query` are as they appear on the wire.
std::string CanonicalUri(std::string_view encoded_path, const SigningOptions& options);
std::string CanonicalQueryString(std::string_view encoded_query);
// RFC 3986 percent-encoding as SigV4 defines it: everything except A-Z a-z 0-9 - _ . ~ is encoded
// as %XY with upper-case hex; '/' is kept when `keep_slash`.
std::string UriEncode(std::string_view bytes, bool keep_slash);

// ---- Incoming requests: credential scope -------------------------------------------------------

// The scope an incoming request was signed for. lambdalite does not verify incoming signatures; it
// reads the scope to learn the region and the account.
struct CredentialScope {
  std::string access_key_id;
  std::string date;  // "20150830"
  std::string region;
  std::string service;
};

// Parses "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/lambda/aws4_request,
// SignedHeaders=..., Signature=..." (components separated by ',' with optional spaces, in any
// order). Returns nullopt for another scheme or a malformed credential.
std::optional<CredentialScope> ParseAuthorizationScope(std::string_view authorization_header);
// Parses a bare credential "AKID/20150830/us-east-1/lambda/aws4_request", as found in the
// Authorization header or a presigned URL's X-Amz-Credential parameter.
std::optional<CredentialScope> ParseCredential(std::string_view credential);

// The percent-decoded value of the first query parameter `name` of a request-target
// ("/path?a=1&X-Amz-Credential=AKID%2F..."); nullopt when absent. A parameter without "=" has the
// value "".
std::optional<std::string> QueryParameter(std::string_view target, std::string_view name);

// By the convention local AWS emulators share, an access key id of exactly 12 decimal digits names
// the account it acts for. Returns that account id, or nullopt for any other key (the caller then
// uses its default account).
std::optional<std::string> AccountFromAccessKey(std::string_view access_key_id);

}  // namespace lambdalite::aws
