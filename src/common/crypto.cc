#include "common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <memory>
#include <stdexcept>

namespace lambdalite {

std::string Sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
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

void Check(int ok, const char* what) {
  if (ok != 1) throw std::runtime_error(std::string(what) + " failed");
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// A SHA-256 context started with one block of `key` XOR `pad` (RFC 2104).
EVP_MD_CTX* KeyedState(const std::array<unsigned char, kSha256BlockSize>& key, unsigned char pad) {
  std::array<unsigned char, kSha256BlockSize> block;
  for (size_t i = 0; i < block.size(); ++i) block[i] = key[i] ^ pad;
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::runtime_error("EVP_MD_CTX_new failed");
  Check(EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr), "EVP_DigestInit_ex");
  Check(EVP_DigestUpdate(ctx.get(), block.data(), block.size()), "EVP_DigestUpdate");
  OPENSSL_cleanse(block.data(), block.size());
  return ctx.release();
}

}  // namespace

HmacSha256Key::HmacSha256Key(std::string_view key) {
  // RFC 2104: a key longer than the block is replaced by its digest, a shorter one zero-padded.
  std::array<unsigned char, kSha256BlockSize> padded{};
  if (key.size() > padded.size()) {
    const std::string digest = Sha256(key);
    std::copy(digest.begin(), digest.end(), padded.begin());
  } else {
    std::copy(key.begin(), key.end(), padded.begin());
  }
  inner_ = KeyedState(padded, 0x36);
  try {
    outer_ = KeyedState(padded, 0x5c);
  } catch (...) {
    EVP_MD_CTX_free(inner_);
    throw;
  }
  OPENSSL_cleanse(padded.data(), padded.size());
}

HmacSha256Key::~HmacSha256Key() {
  EVP_MD_CTX_free(inner_);
  EVP_MD_CTX_free(outer_);
}

std::string HmacSha256Key::Mac(std::string_view data) const {
  // Scratch space of this thread; each use starts by copying a keyed state over it.
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> scratch(EVP_MD_CTX_new());
  if (!scratch) throw std::runtime_error("EVP_MD_CTX_new failed");
  unsigned char inner_digest[SHA256_DIGEST_LENGTH];
  unsigned int len = 0;
  Check(EVP_MD_CTX_copy_ex(scratch.get(), inner_), "EVP_MD_CTX_copy_ex");
  Check(EVP_DigestUpdate(scratch.get(), data.data(), data.size()), "EVP_DigestUpdate");
  Check(EVP_DigestFinal_ex(scratch.get(), inner_digest, &len), "EVP_DigestFinal_ex");
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  Check(EVP_MD_CTX_copy_ex(scratch.get(), outer_), "EVP_MD_CTX_copy_ex");
  Check(EVP_DigestUpdate(scratch.get(), inner_digest, sizeof inner_digest), "EVP_DigestUpdate");
  Check(EVP_DigestFinal_ex(scratch.get(), reinterpret_cast<unsigned char*>(out.data()), &len),
        "EVP_DigestFinal_ex");
  return out;
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
