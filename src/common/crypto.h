#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

namespace lambdalite {

// Thin wrappers over OpenSSL 3. All are pure functions and thread-safe.

// Raw 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);
// The same digest, without allocating (for per-request paths such as SigV4 verification).
using Sha256Digest = std::array<unsigned char, 32>;
Sha256Digest Sha256Raw(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

// An HMAC-SHA256 key prepared for many messages: the keyed inner and outer SHA-256 states are
// computed once, so Mac() costs two short digests and no allocation (MacRaw) or one (Mac).
// (HmacSha256 sets the key up and looks the algorithm up again on every call, several times the
// work for a short message.) Mac() gives exactly HmacSha256(key, data). Thread-safe: Mac() may be
// called concurrently.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;

  // Raw 32-byte HMAC-SHA256 of `data`.
  std::string Mac(std::string_view data) const;
  Sha256Digest MacRaw(std::string_view data) const;

 private:
  struct States;  // the SHA-256 states after key ^ ipad and key ^ opad; read-only, copied per Mac
  std::unique_ptr<States> states_;
};
// Lower-case hex of arbitrary bytes.
std::string HexEncode(std::string_view bytes);
// Lower-case hex of a digest into 64 characters at `out`, without allocating.
void HexEncodeTo(const Sha256Digest& digest, char* out);
// Standard base64 (with padding).
std::string Base64Encode(std::string_view bytes);
// Decodes standard base64; returns false on malformed input.
bool Base64Decode(std::string_view text, std::string* out);
// Fills a string with `n` cryptographically random bytes.
std::string RandomBytes(size_t n);
// Constant-time equality, for comparing signatures.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace lambdalite
