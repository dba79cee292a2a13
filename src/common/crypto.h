#pragma once

#include <string>
#include <string_view>

namespace lambdalite {

// Thin wrappers over OpenSSL 3. All are pure functions and thread-safe.

// Raw 32-byte SHA-256 digest of `data`.
std::string Sha256(std::string_view data);
// Raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
// Lower-case hex of arbitrary bytes.
std::string HexEncode(std::string_view bytes);
// Standard base64 (with padding).
std::string Base64Encode(std::string_view bytes);
// Decodes standard base64; returns false on malformed input.
bool Base64Decode(std::string_view text, std::string* out);
// Fills a string with `n` cryptographically random bytes.
std::string RandomBytes(size_t n);
// Constant-time equality, for comparing signatures.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace lambdalite
