#include "service/code_url.h"

#include <gtest/gtest.h>

#include "common/crypto.h"

namespace lambdalite::service {
namespace {

// Pulls one query parameter out of a signed path.
std::string Param(const std::string& path, const std::string& key) {
  size_t at = path.find(key + "=");
  if (at == std::string::npos) return {};
  at += key.size() + 1;
  return path.substr(at, path.find('&', at) - at);
}

TEST(CodeUrlSignerTest, SignedPathVerifiesUntilItExpires) {
  FakeClock clock(1'700'000'000'000);
  CodeUrlSigner signer(std::string(32, 'k'), clock);
  const std::string blob = std::string(64, 'a');
  std::string path = signer.SignPath(blob);
  EXPECT_EQ(path.rfind("/_lambdalite/code/" + blob + ".zip?", 0), 0u) << path;
  const std::string expires = Param(path, "X-Amz-Expires");
  const std::string signature = Param(path, "X-Amz-Signature");
  EXPECT_EQ(expires, "1700000600");  // valid for 10 minutes, as AWS's links
  EXPECT_TRUE(signer.Verify(blob, expires, signature).ok());

  clock.Advance(600'000);
  EXPECT_TRUE(signer.Verify(blob, expires, signature).ok());
  clock.Advance(1'000);
  auto expired = signer.Verify(blob, expires, signature);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code, ErrorCode::kAccessDenied);
}

// URLs handed out before a restart (or by an older build) must keep verifying: the signature is
// HMAC-SHA256(secret, "<blob id>\n<expires>") in lower-case hex.
TEST(CodeUrlSignerTest, SignatureFormatIsStable) {
  FakeClock clock(1'700'000'000'000);
  const std::string secret(32, 'k');
  CodeUrlSigner signer(secret, clock);
  const std::string blob = std::string(64, 'a');
  const std::string path = signer.SignPath(blob);
  EXPECT_EQ(path, "/_lambdalite/code/" + blob + ".zip?X-Amz-Expires=1700000600&X-Amz-Signature=" +
                      HexEncode(HmacSha256(secret, blob + "\n1700000600")));
}

TEST(CodeUrlSignerTest, TamperingIsRefused) {
  FakeClock clock;
  CodeUrlSigner signer(std::string(32, 'k'), clock);
  const std::string blob = std::string(64, 'a');
  std::string path = signer.SignPath(blob);
  const std::string expires = Param(path, "X-Amz-Expires");
  const std::string signature = Param(path, "X-Amz-Signature");
  // Another blob, a later expiry, a changed signature, or a missing one: all refused.
  EXPECT_FALSE(signer.Verify(std::string(64, 'b'), expires, signature).ok());
  EXPECT_FALSE(signer.Verify(blob, std::to_string(std::stoll(expires) + 3600), signature).ok());
  std::string flipped = signature;
  flipped[0] = flipped[0] == '0' ? '1' : '0';
  EXPECT_FALSE(signer.Verify(blob, expires, flipped).ok());
  EXPECT_FALSE(signer.Verify(blob, expires, "").ok());
  EXPECT_FALSE(signer.Verify(blob, "soon", signature).ok());
  // A different key (another data directory) does not accept the URL either.
  CodeUrlSigner other(std::string(32, 'x'), clock);
  EXPECT_FALSE(other.Verify(blob, expires, signature).ok());
}

}  // namespace
}  // namespace lambdalite::service
