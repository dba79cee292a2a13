// HmacSha256Key keeps SHA256_CTX states, which OpenSSL 3 marks deprecated in favour of EVP. The
// EVP path costs a heap allocation per EVP_MD_CTX_copy_ex (OpenSSL 3.0 duplicates the provider
// context) plus provider dispatch: about half of a SigV4 verification. The low-level functions
// are the same assembly (SHA-NI where the CPU has it) on a plain struct that copies for free.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace lambdalite {

Sha256Digest Sha256Raw(std::string_view data) {
  // Not SHA256(): OpenSSL 3 made it EVP_Q_digest, which fetches the algorithm (a locked look-up)
  // and allocates a context on every call.
  Sha256Digest out;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out.data(), &ctx);
  return out;
}

std::string Sha256(std::string_view data) {
  const Sha256Digest digest = Sha256Raw(data);
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);
  out.resize(len);
  return out;
}

namespace {

constexpr size_t kSha256BlockSize = 64;

// A SHA-256 state started with one block of `key` XOR `pad` (RFC 2104).
SHA256_CTX KeyedState(const std::array<unsigned char, kSha256BlockSize>& key, unsigned char pad) {
  std::array<unsigned char, kSha256BlockSize> block;
  for (size_t i = 0; i < block.size(); ++i) block[i] = key[i] ^ pad;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, block.data(), block.size());
  OPENSSL_cleanse(block.data(), block.size());
  return ctx;
}

}  // namespace

struct HmacSha256Key::States {
  SHA256_CTX inner;  // after hashing key ^ ipad
  SHA256_CTX outer;  // after hashing key ^ opad
};

HmacSha256Key::HmacSha256Key(std::string_view key) : states_(std::make_unique<States>()) {
  // RFC 2104: a key longer than the block is replaced by its digest, a shorter one zero-padded.
  std::array<unsigned char, kSha256BlockSize> padded{};
  if (key.size() > padded.size()) {
    const Sha256Digest digest = Sha256Raw(key);
    std::copy(digest.begin(), digest.end(), padded.begin());
  } else {
    std::copy(key.begin(), key.end(), padded.begin());
  }
  states_->inner = KeyedState(padded, 0x36);
  states_->outer = KeyedState(padded, 0x5c);
  OPENSSL_cleanse(padded.data(), padded.size());
}

HmacSha256Key::~HmacSha256Key() { OPENSSL_cleanse(states_.get(), sizeof(States)); }

Sha256Digest HmacSha256Key::MacRaw(std::string_view data) const {
  Sha256Digest inner_digest;
  Sha256Digest out;
  SHA256_CTX ctx = states_->inner;
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(inner_digest.data(), &ctx);
  ctx = states_->outer;
  SHA256_Update(&ctx, inner_digest.data(), inner_digest.size());
  SHA256_Final(out.data(), &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return out;
}

std::string HmacSha256Key::Mac(std::string_view data) const {
  const Sha256Digest mac = MacRaw(data);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

void HexEncodeTo(const Sha256Digest& digest, char* out) {
  // Two characters per byte from one table look-up.
  static const std::array<std::array<char, 2>, 256> kPairs = [] {
    static constexpr char kHex[] = "0123456789abcdef";
    std::array<std::array<char, 2>, 256> pairs{};
    for (size_t i = 0; i < pairs.size(); ++i) pairs[i] = {kHex[i >> 4], kHex[i & 0xf]};
    return pairs;
  }();
  for (unsigned char c : digest) {
    std::memcpy(out, kPairs[c].data(), 2);
    out += 2;
  }
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  size_t i = 0;
  for (unsigned char c : bytes) {
    out[i++] = kHex[c >> 4];
    out[i++] = kHex[c & 0xf];
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool Base64Decode(std::string_view text, std::string* out) {
  // EVP_DecodeBlock ignores nothing and rejects bad characters, but it does not account for
  // padding in its output length; we strip those bytes ourselves.
  std::string s;
  s.reserve(text.size());
  for (char c : text) {
    if (c != '\n' && c != '\r') s.push_back(c);
  }
  if (s.size() % 4 != 0) return false;
  out->assign(3 * (s.size() / 4), '\0');
  if (s.empty()) return true;
  int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                      reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  if (n < 0) return false;
  size_t pad = 0;
  if (s.back() == '=') ++pad;
  if (s.size() >= 2 && s[s.size() - 2] == '=') ++pad;
  out->resize(static_cast<size_t>(n) - pad);
  return true;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace lambdalite
