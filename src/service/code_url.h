#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/crypto.h"
#include "common/result.h"

namespace lambdalite::service {

// Presigned download URLs for deployment packages (GetFunction's Code.Location). lambdalite
// serves the bytes itself; the URL carries an expiry and an HMAC-SHA256 over blob id and expiry
// under a per-data-directory secret, so it survives restarts and cannot be forged or extended.
class CodeUrlSigner {
 public:
  static constexpr int64_t kValiditySeconds = 600;  // AWS: the link is valid for 10 minutes

  CodeUrlSigner(std::string_view secret, const Clock& clock) : key_(secret), clock_(clock) {}

  // Path and query (no scheme/host) for the blob, e.g. "/_lambdalite/code/<id>.zip?X-Amz-...".
  std::string SignPath(std::string_view blob_id) const;

  // Verifies the query parameters of a download request for `blob_id`. kAccessDenied when the
  // signature is wrong, missing or expired.
  Status Verify(std::string_view blob_id, std::string_view expires,
                std::string_view signature) const;

 private:
  std::string Sign(std::string_view blob_id, std::string_view expires) const;

  // The secret, prepared once: SignPath runs on every GetFunction.
  HmacSha256Key key_;
  const Clock& clock_;
};

}  // namespace lambdalite::service
