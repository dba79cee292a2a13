#pragma once

// Verification of incoming AWS Signature Version 4 requests (lambdalite serve --auth-keys FILE).
//
// Contract:
//  - KeyRing holds the access keys the server accepts, each bound to one account. Parse/Load read
//    the keys file: one key per line, "ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID" separated by
//    spaces or tabs; blank lines and lines starting with '#' (after leading blanks) are ignored.
//    The account id is 12 digits; an access key id may appear once.
//  - SigV4Verifier::Verify accepts a request only when it carries a SigV4 signature, in the
//    Authorization header or as a presigned query (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
//    X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature), by a key of the ring, scoped to
//    `service` and to an AWS region (domain::IsValidRegion), dated within kMaxSkew of the clock
//    (presigned: not before X-Amz-Date - kMaxSkew, not after X-Amz-Date + X-Amz-Expires), whose
//    signature equals the one computed here the way botocore, the AWS CLI and the JS SDK compute
//    it for non-S3 services (path normalized and percent-encoded twice, query sorted, header
//    values trimmed with inner whitespace runs collapsed, the listed signed headers only).
//  - Payload: the SHA-256 of the body, or "UNSIGNED-PAYLOAD" when x-amz-content-sha256 says so.
//    With "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" the body is aws-chunked: the seed signature is
//    verified, then every chunk's signature in turn, and the decoded body is returned. A chunk
//    stream that does not parse or whose length differs from x-amz-decoded-content-length is
//    refused. Any other x-amz-content-sha256 value is signed as given but must equal the body's
//    hash.
//  - On success the caller's account is the key's (never derived from the key id), the region
//    the credential scope's. On failure the Error is kAccessDenied with `detail` the AWS error
//    type and `message` AWS's text (docs/research/aws-error-messages.md, section 18).
//  - Cost: signing keys are derived once per (key, date, region) and cached with their HMAC
//    states, so a request costs one SHA-256 of the canonical request (plus one of a non-empty
//    body) and one HMAC over the string to sign, built in per-thread buffers: no allocation but
//    the answer's strings (bench/sigv4_bench.cc measures it). Thread-safe.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/result.h"
#include "http/handler.h"

namespace lambdalite::auth {

class FunctionCredentials;

struct AccessKey {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account;
};

class KeyRing {
 public:
  // Errors (kInvalidParameter) name the line that is wrong.
  static Result<KeyRing> Parse(std::string_view text);
  static Result<KeyRing> Load(const std::string& path);

  const AccessKey* Find(std::string_view access_key_id) const;
  // The first key of `account` in file order, or nullptr.
  const AccessKey* FirstOfAccount(std::string_view account) const;
  size_t size() const { return keys_.size(); }

 private:
  std::vector<AccessKey> keys_;
};

struct Caller {
  std::string access_key_id;
  std::string account;
  std::string region;
};

class SigV4Verifier {
 public:
  // Lambda's window between a request's X-Amz-Date and the server's clock (research notes
  // section 18: "Signature expired: ... (... - 5 min.)").
  static constexpr int64_t kMaxSkewMs = 5 * 60 * 1000;

  // With `sessions`, the session credentials it minted for functions are accepted too, each as
  // a caller of its function's account.
  SigV4Verifier(KeyRing keys, const Clock& clock, std::string service = "lambda",
                std::shared_ptr<const FunctionCredentials> sessions = nullptr);

  // Verifies `request`. For an aws-chunked body, `*decoded_body` receives the payload (the
  // caller then serves that body instead); otherwise it is left alone.
  Result<Caller> Verify(const http::HttpRequest& request, std::string* decoded_body) const;

  const KeyRing& keys() const { return keys_; }

 private:
  // The cached k_signing of (key, date, region), valid until this thread's next call.
  const HmacSha256Key& SigningKeyFor(const AccessKey& key, std::string_view date,
                                     std::string_view region) const;
  std::shared_ptr<const HmacSha256Key> SigningKeyLocked(const AccessKey& key,
                                                        const std::string& date,
                                                        const std::string& region) const;

  KeyRing keys_;
  const Clock& clock_;
  std::string service_;
  const uint64_t id_;  // unique per verifier, for the per-thread signing key cache
  const std::shared_ptr<const FunctionCredentials> sessions_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, std::shared_ptr<const HmacSha256Key>> signing_keys_;
};

}  // namespace lambdalite::auth
