#include "service/code_url.h"

#include <charconv>

#include "common/crypto.h"

namespace lambdalite::service {

std::string CodeUrlSigner::Sign(std::string_view blob_id, std::string_view expires) const {
  std::string msg(blob_id);
  msg += '\n';
  msg += expires;
  return HexEncode(key_.Mac(msg));
}

std::string CodeUrlSigner::SignPath(std::string_view blob_id) const {
  std::string expires = std::to_string(clock_.NowMillis() / 1000 + kValiditySeconds);
  std::string path = "/_lambdalite/code/";
  path += blob_id;
  path += ".zip?X-Amz-Expires=";
  path += expires;
  path += "&X-Amz-Signature=";
  path += Sign(blob_id, expires);
  return path;
}

Status CodeUrlSigner::Verify(std::string_view blob_id, std::string_view expires,
                             std::string_view signature) const {
  auto denied = [] {
    return Error::Make(ErrorCode::kAccessDenied,
                       "Request has expired or the signature does not match");
  };
  int64_t exp = 0;
  auto [ptr, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), exp);
  if (ec != std::errc() || ptr != expires.data() + expires.size()) return denied();
  if (!ConstantTimeEquals(Sign(blob_id, expires), signature)) return denied();
  if (clock_.NowMillis() / 1000 > exp) return denied();
  return Status::Ok();
}

}  // namespace lambdalite::service
