#include "auth/sigv4_verifier.h"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

#include "auth/function_credentials.h"
#include "aws/sigv4.h"
#include "common/time_format.h"
#include "domain/names.h"

namespace lambdalite::auth {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr std::string_view kStreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

Error Refuse(const char* type, std::string message) {
  return Error::Make(ErrorCode::kAccessDenied, std::move(message), type);
}
Error SignatureMismatch() { return Refuse("InvalidSignatureException", std::string(kMismatch)); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// `lower` is already lower case (a SignedHeaders name).
bool EqualsLowerCase(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (AsciiLower(name[i]) != lower[i]) return false;
  }
  return true;
}

// Lower-case hex SHA-256 (only the aws-chunked path; a verification hashes into buffers).
std::string Sha256Hex(std::string_view data) {
  std::string hex(64, '\0');
  HexEncodeTo(Sha256Raw(data), hex.data());
  return hex;
}

bool IsUnreservedOrSlash(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~' || c == '/';
}

// A path that canonicalizes to itself: every character is left alone by SigV4's encoding (once or
// twice) and no "." or ".." segment is there to remove. Most Lambda paths are of this kind.
bool IsCanonicalPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  for (char c : path) {
    if (!IsUnreservedOrSlash(c)) return false;
  }
  return path.find("/.") == std::string_view::npos;
}

// "YYYYMMDDTHHMMSSZ" to epoch milliseconds, without sscanf/timegm (a lock and a locale each).
bool ParseBasicDate(std::string_view t, int64_t* epoch_ms) {
  if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z') return false;
  int v[6];
  const int offsets[6] = {0, 4, 6, 9, 11, 13};
  const int widths[6] = {4, 2, 2, 2, 2, 2};
  for (int f = 0; f < 6; ++f) {
    v[f] = 0;
    for (int i = 0; i < widths[f]; ++i) {
      const char c = t[static_cast<size_t>(offsets[f] + i)];
      if (c < '0' || c > '9') return false;
      v[f] = v[f] * 10 + (c - '0');
    }
  }
  const int y0 = v[0], m = v[1], d = v[2];
  if (m < 1 || m > 12 || d < 1 || d > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60) return false;
  // Days from 1970-01-01 (H. Hinnant's days_from_civil).
  const int y = y0 - (m <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + doe - 719468;
  *epoch_ms = ((days * 24 + v[3]) * 60 + v[4]) * 60'000 + int64_t{v[5]} * 1000;
  return true;
}

bool IsValueSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// botocore's _header_value: ' '.join(value.split()), appended a word at a time.
void AppendCanonicalValue(std::string_view value, std::string* out) {
  bool any = false;
  for (size_t i = 0, n = value.size(); i < n;) {
    if (IsValueSpace(value[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < n && !IsValueSpace(value[i])) ++i;
    if (any) out->push_back(' ');
    any = true;
    out->append(value.data() + start, i - start);
  }
}

// The request's signature inputs, from the Authorization header or the presigned query.
// The views point into the request, or (presigned: percent-decoded) into `decoded`.
struct SignatureInput {
  SignatureInput() = default;
  SignatureInput(const SignatureInput&) = delete;  // the views may point into `decoded`
  SignatureInput& operator=(const SignatureInput&) = delete;

  void BindDecoded() {
    credential = decoded[0];
    signed_headers = decoded[1];
    signature = decoded[2];
    amz_date = decoded[3];
  }

  std::string_view credential;
  std::string_view signed_headers;
  std::string_view signature;
  std::string_view amz_date;
  std::optional<int64_t> expires_s;  // presigned only
  std::array<std::string, 4> decoded;
};

// Both fill a SignatureInput in place (a Result<SignatureInput> would move its strings twice per
// request).
Status FromHeader(const http::HttpRequest& req, const std::string& header, SignatureInput* out) {
  SignatureInput& in = *out;
  std::string_view rest = Trim(header);
  bool sigv4 = rest.size() > kAlgorithm.size() && rest.substr(0, kAlgorithm.size()) == kAlgorithm &&
               (rest[kAlgorithm.size()] == ' ' || rest[kAlgorithm.size()] == '\t');
  bool has_credential = false, has_signed = false, has_signature = false;
  if (sigv4) {
    // AWS splits the components at commas and blanks alike: a blank inside the credential
    // ("Credential=AKID /2015...") makes "/2015..." a component of its own.
    // Found with memchr (a comma-separated piece, then its blanks), not a byte at a time: the
    // header is some 200 bytes and the components are normally ", "-separated.
    const std::string_view components = rest.substr(kAlgorithm.size() + 1);
    const auto is_separator = [](char c) { return c == ',' || c == ' ' || c == '\t'; };
    // The first `c` in [from, to) of `s`, or `to`.
    const auto find = [](std::string_view s, char c, size_t from, size_t to) {
      const void* hit = std::memchr(s.data() + from, c, to - from);
      return hit == nullptr ? to : static_cast<size_t>(static_cast<const char*>(hit) - s.data());
    };
    for (size_t i = 0, n = components.size(); i < n;) {
      if (is_separator(components[i])) {
        ++i;
        continue;
      }
      const size_t start = i;
      i = find(components, ',', i, n);
      i = find(components, ' ', start, i);
      i = find(components, '\t', start, i);
      const std::string_view component = components.substr(start, i - start);
      const size_t eq = component.find('=');
      if (eq == std::string_view::npos) {
        return Refuse("IncompleteSignatureException",
                      "'" + std::string(component) +
                          "' not a valid key=value pair (missing equal-sign) in Authorization "
                          "header: '" +
                          header + "'.");
      }
      const std::string_view key = component.substr(0, eq);
      const std::string_view value = component.substr(eq + 1);
      if (key == "Credential") {
        in.credential = value;
        has_credential = true;
      } else if (key == "SignedHeaders") {
        in.signed_headers = value;
        has_signed = true;
      } else if (key == "Signature") {
        in.signature = value;
        has_signature = true;
      }
    }
  }
  const std::string* date = req.FindHeader("X-Amz-Date");
  const bool has_date = date != nullptr || req.FindHeader("Date") != nullptr;
  std::string missing;
  if (!has_credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!has_signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (!has_signed) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!has_date) {
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
        "header. ";
  }
  if (!missing.empty()) {
    return Refuse("IncompleteSignatureException", missing + "Authorization=" + header);
  }
  // Only X-Amz-Date is read: every AWS SDK and the CLI send it (a Date-only request is refused
  // below as an unparsable date).
  if (date != nullptr) in.amz_date = *date;
  return Status::Ok();
}

Status FromQuery(const http::HttpRequest& req, SignatureInput* out) {
  SignatureInput& in = *out;
  auto algorithm = aws::QueryParameter(req.target, "X-Amz-Algorithm");
  auto credential = aws::QueryParameter(req.target, "X-Amz-Credential");
  auto date = aws::QueryParameter(req.target, "X-Amz-Date");
  auto signed_headers = aws::QueryParameter(req.target, "X-Amz-SignedHeaders");
  auto signature = aws::QueryParameter(req.target, "X-Amz-Signature");
  auto expires = aws::QueryParameter(req.target, "X-Amz-Expires");
  // An incomplete presigned query authenticates nothing.
  if (!algorithm || *algorithm != kAlgorithm || !credential || !date || !signed_headers ||
      !signature) {
    return Refuse("MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  in.decoded = {std::move(*credential), std::move(*signed_headers), std::move(*signature),
                std::move(*date)};
  int64_t seconds = 3600;  // botocore's default; AWS's maximum is 7 days
  if (expires) {
    try {
      size_t used = 0;
      seconds = std::stoll(*expires, &used);
      if (used != expires->size() || seconds < 1 || seconds > 604800) seconds = -1;
    } catch (...) {
      seconds = -1;
    }
    if (seconds < 0) return SignatureMismatch();
  }
  in.expires_s = seconds;
  in.BindDecoded();  // `in` stays where it is: the views into its strings stay valid
  return Status::Ok();
}

// The canonical query string without X-Amz-Signature (a presigned URL signs every other
// parameter).
std::string CanonicalQuery(std::string_view query, bool presigned) {
  if (!presigned) return aws::CanonicalQueryString(query);
  std::string kept;
  for (std::string_view pair : Split(query, '&')) {
    const std::string_view name = pair.substr(0, pair.find('='));
    if (name == "X-Amz-Signature") continue;
    if (!kept.empty()) kept += '&';
    kept += pair;
  }
  return aws::CanonicalQueryString(kept);
}

// Decodes an aws-chunked body ("<hex size>;chunk-signature=<sig>\r\n<data>\r\n"..., ending with a
// zero-size chunk), verifying each chunk's signature against the previous one.
Result<std::string> DecodeChunks(std::string_view body, const HmacSha256Key& key,
                                 const std::string& amz_date, const std::string& scope,
                                 std::string previous) {
  static const std::string kEmptyHash = HexEncode(Sha256(""));
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t eol = body.find("\r\n", pos);
    if (eol == std::string_view::npos) return SignatureMismatch();
    const std::string_view header = body.substr(pos, eol - pos);
    const size_t semi = header.find(';');
    constexpr std::string_view kSig = "chunk-signature=";
    if (semi == std::string_view::npos || header.substr(semi + 1, kSig.size()) != kSig) {
      return SignatureMismatch();
    }
    size_t size = 0;
    const std::string_view hex = header.substr(0, semi);
    if (hex.empty() || hex.size() > 8) return SignatureMismatch();
    for (char c : hex) {
      const int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                    : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                                : -1;
      if (v < 0) return SignatureMismatch();
      size = size * 16 + static_cast<size_t>(v);
    }
    const std::string_view signature = header.substr(semi + 1 + kSig.size());
    const size_t data = eol + 2;
    if (body.size() < data + size + 2 || body.substr(data + size, 2) != "\r\n") {
      return SignatureMismatch();
    }
    const std::string_view chunk = body.substr(data, size);
    const std::string string_to_sign = "AWS4-HMAC-SHA256-PAYLOAD\n" + amz_date + "\n" + scope +
                                       "\n" + previous + "\n" + kEmptyHash + "\n" +
                                       Sha256Hex(chunk);
    const std::string expected = HexEncode(key.Mac(string_to_sign));
    if (!ConstantTimeEquals(expected, signature)) return SignatureMismatch();
    previous = expected;
    out.append(chunk);
    pos = data + size + 2;
    if (size == 0) {
      if (pos != body.size()) return SignatureMismatch();
      return out;
    }
  }
}

}  // namespace

// ---- KeyRing ------------------------------------------------------------------------------------

Result<KeyRing> KeyRing::Parse(std::string_view text) {
  KeyRing ring;
  int line_number = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> fields;
    std::istringstream in{std::string(line)};
    for (std::string field; in >> field;) fields.push_back(field);
    auto fail = [&](const std::string& why) {
      return Error::Make(ErrorCode::kInvalidParameter,
                         "auth keys line " + std::to_string(line_number) + ": " + why);
    };
    if (fields.size() != 3) {
      return fail("expected ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID");
    }
    if (!aws::AccountFromAccessKey(fields[2])) return fail("the account id must be 12 digits");
    if (ring.Find(fields[0]) != nullptr) return fail("access key id " + fields[0] + " repeated");
    ring.keys_.push_back(AccessKey{fields[0], fields[1], fields[2]});
  }
  return ring;
}

Result<KeyRing> KeyRing::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Make(ErrorCode::kInvalidParameter, "cannot read auth keys file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto ring = Parse(ss.str());
  if (!ring.ok()) {
    return Error::Make(ErrorCode::kInvalidParameter, path + ": " + ring.error().message);
  }
  if (ring->size() == 0) {
    return Error::Make(ErrorCode::kInvalidParameter, path + ": no access keys");
  }
  return ring;
}

const AccessKey* KeyRing::Find(std::string_view access_key_id) const {
  for (const auto& key : keys_) {
    if (key.access_key_id == access_key_id) return &key;
  }
  return nullptr;
}

const AccessKey* KeyRing::FirstOfAccount(std::string_view account) const {
  for (const auto& key : keys_) {
    if (key.account == account) return &key;
  }
  return nullptr;
}

// ---- SigV4Verifier ------------------------------------------------------------------------------

namespace {
uint64_t NextId() {
  static std::atomic<uint64_t> next{1};
  return next++;
}
}  // namespace

SigV4Verifier::SigV4Verifier(KeyRing keys, const Clock& clock, std::string service,
                             std::shared_ptr<const FunctionCredentials> sessions)
    : keys_(std::move(keys)),
      clock_(clock),
      service_(std::move(service)),
      id_(NextId()),
      sessions_(std::move(sessions)) {}

const HmacSha256Key& SigV4Verifier::SigningKeyFor(const AccessKey& key, std::string_view date,
                                                  std::string_view region) const {
  // Most requests of a thread repeat the previous one's key, day and region: remember it without
  // taking the lock. The shared_ptr here keeps the key alive until this thread's next call, even
  // when the map below forgets it.
  struct Last {
    uint64_t owner = 0;  // id_ of the verifier (an address may be reused by a later one)
    const AccessKey* key = nullptr;
    std::string date, region;
    std::shared_ptr<const HmacSha256Key> mac;
  };
  thread_local Last last;
  if (last.owner == id_ && last.key == &key && last.date == date && last.region == region) {
    return *last.mac;
  }
  auto mac = SigningKeyLocked(key, std::string(date), std::string(region));
  last = Last{id_, &key, std::string(date), std::string(region), std::move(mac)};
  return *last.mac;
}

std::shared_ptr<const HmacSha256Key> SigV4Verifier::SigningKeyLocked(
    const AccessKey& key, const std::string& date, const std::string& region) const {
  const std::string cache_key = key.access_key_id + '/' + date + '/' + region;
  {
    std::lock_guard lock(mu_);
    auto it = signing_keys_.find(cache_key);
    if (it != signing_keys_.end()) return it->second;
  }
  std::string k = HmacSha256("AWS4" + key.secret_access_key, date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service_);
  k = HmacSha256(k, "aws4_request");
  auto prepared = std::make_shared<const HmacSha256Key>(k);
  std::lock_guard lock(mu_);
  // Keys of past days are never used again; a bounded map forgets them wholesale.
  if (signing_keys_.size() >= 4096) signing_keys_.clear();
  signing_keys_.emplace(cache_key, prepared);
  return prepared;
}

Result<Caller> SigV4Verifier::Verify(const http::HttpRequest& req,
                                     std::string* decoded_body) const {
  const std::string* authorization = req.FindHeader("Authorization");
  const bool presigned =
      authorization == nullptr && (aws::QueryParameter(req.target, "X-Amz-Algorithm") ||
                                   aws::QueryParameter(req.target, "X-Amz-Credential"));
  if (authorization == nullptr && !presigned) {
    return Refuse("MissingAuthenticationTokenException", "Missing Authentication Token");
  }
  SignatureInput in;
  LAMBDALITE_RETURN_IF_ERROR(presigned ? FromQuery(req, &in)
                                       : FromHeader(req, *authorization, &in));

  // Credential scope: AKID/YYYYMMDD/region/service/aws4_request.
  std::array<std::string_view, 5> scope_parts;
  size_t parts = 0;
  for (size_t start = 0;;) {
    const size_t slash = in.credential.find('/', start);
    const std::string_view part = in.credential.substr(start, slash - start);
    if (parts < scope_parts.size()) scope_parts[parts] = part;
    ++parts;
    if (slash == std::string_view::npos) {
      if (parts != 5 || part != "aws4_request") {
        return Refuse("InvalidSignatureException",
                      "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
                          std::string(part) + "'. ");
      }
      break;
    }
    start = slash + 1;
  }
  // Views into the request (or `in`), alive for the whole call: a verification allocates only
  // for its answer, and for an error.
  const std::string_view access_key_id = scope_parts[0];
  const std::string_view scope_date = scope_parts[1];
  const std::string_view region = scope_parts[2];
  if (!domain::IsValidRegion(region)) {
    return Refuse(
        "InvalidSignatureException",
        "Credential should be scoped to a valid region, not '" + std::string(region) + "'. ");
  }
  if (scope_parts[3] != service_) {
    return Refuse("InvalidSignatureException",
                  "Credential should be scoped to correct service: '" + service_ + "'. ");
  }
  int64_t signed_ms = 0;
  if (!ParseBasicDate(in.amz_date, &signed_ms)) {
    return Refuse("IncompleteSignatureException",
                  "Date must be in ISO-8601 'basic format'. Got '" + std::string(in.amz_date) +
                      "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  if (scope_date != in.amz_date.substr(0, 8)) {
    return Refuse("InvalidSignatureException",
                  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                  "from HTTP: '" +
                      std::string(scope_date) + "' != '" + std::string(in.amz_date.substr(0, 8)) +
                      "', from '" + std::string(in.amz_date) + "'.");
  }
  const int64_t now = clock_.NowMillis();
  if (signed_ms > now + kMaxSkewMs) {
    const std::string now_text = FormatAmzDate(now);
    return Refuse("InvalidSignatureException",
                  "Signature not yet current: " + std::string(in.amz_date) +
                      " is still later than " + FormatAmzDate(now + kMaxSkewMs) + " (" + now_text +
                      " + 5 min.)");
  }
  if (!in.expires_s && signed_ms < now - kMaxSkewMs) {
    const std::string now_text = FormatAmzDate(now);
    return Refuse("InvalidSignatureException",
                  "Signature expired: " + std::string(in.amz_date) + " is now earlier than " +
                      FormatAmzDate(now - kMaxSkewMs) + " (" + now_text + " - 5 min.)");
  }
  if (in.expires_s && now > signed_ms + *in.expires_s * 1000) {
    const std::string now_text = FormatAmzDate(now);
    return Refuse("InvalidSignatureException",
                  "Signature expired: " + std::string(in.amz_date) + " is now earlier than " +
                      FormatAmzDate(now - *in.expires_s * 1000) + " (" + now_text + " - " +
                      std::to_string(*in.expires_s) + " sec.)");
  }
  const AccessKey* key = keys_.Find(access_key_id);
  // Not a key of the file: a function's own session credentials, which name their account in
  // the session token (function_credentials.h).
  std::optional<AccessKey> session_key;
  if (key == nullptr && sessions_ != nullptr) {
    std::optional<std::string> token;
    if (const std::string* header = req.FindHeader("x-amz-security-token")) {
      token = *header;
    } else {
      token = aws::QueryParameter(req.target, "X-Amz-Security-Token");
    }
    if (token) session_key = sessions_->Resolve(access_key_id, *token);
    if (session_key) key = &*session_key;
  }
  if (key == nullptr) {
    return Refuse("UnrecognizedClientException",
                  "The security token included in the request is invalid.");
  }

  // The payload hash the client signed. Most Lambda API requests (every GET and DELETE) have no
  // body, whose hash is a constant.
  static constexpr std::string_view kEmptyBodyHash =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  char body_hash[64];
  const auto hash_body = [&]() -> std::string_view {
    if (req.body.empty()) return kEmptyBodyHash;
    HexEncodeTo(Sha256Raw(req.body), body_hash);
    return std::string_view(body_hash, sizeof body_hash);
  };
  std::string_view payload_hash;
  bool streaming = false;
  if (const std::string* content = req.FindHeader("x-amz-content-sha256")) {
    if (*content == kUnsignedPayload) {
      payload_hash = *content;
    } else if (*content == kStreamingPayload) {
      payload_hash = *content;
      streaming = true;
    } else {
      payload_hash = hash_body();
      if (*content != payload_hash) return SignatureMismatch();
    }
  } else {
    payload_hash = hash_body();
  }

  // Canonical request, in a buffer of this thread (no allocation once it has grown).
  const size_t q = req.target.find('?');
  const std::string_view target(req.target);
  const std::string_view path = target.substr(0, q);
  const std::string_view query =
      q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  thread_local std::string canonical_buffer;
  std::string& canonical = canonical_buffer;  // one thread-local look-up, not one per append
  canonical.clear();
  canonical += req.method;
  canonical += '\n';
  if (IsCanonicalPath(path)) {
    canonical += path;
  } else {
    canonical += aws::CanonicalUri(path, aws::SigningOptions::ForService(service_));
  }
  canonical += '\n';
  if (!query.empty()) canonical += CanonicalQuery(query, presigned);
  canonical += '\n';
  for (size_t start = 0; start <= in.signed_headers.size();) {
    size_t semi = in.signed_headers.find(';', start);
    if (semi == std::string_view::npos) semi = in.signed_headers.size();
    const std::string_view name = in.signed_headers.substr(start, semi - start);
    start = semi + 1;
    canonical += name;
    canonical += ':';
    bool first = true;
    for (const auto& header : req.headers) {
      if (!EqualsLowerCase(header.name, name)) continue;
      if (!first) canonical += ',';
      first = false;
      AppendCanonicalValue(header.value, &canonical);
    }
    canonical += '\n';
  }
  canonical += '\n';
  canonical += in.signed_headers;
  canonical += '\n';
  canonical += payload_hash;

  // String to sign: algorithm, date, scope (date/region/service/aws4_request), hashed request.
  thread_local std::string string_to_sign_buffer;
  std::string& string_to_sign = string_to_sign_buffer;
  string_to_sign.clear();
  string_to_sign += kAlgorithm;
  string_to_sign += '\n';
  string_to_sign += in.amz_date;
  string_to_sign += '\n';
  const size_t scope_start = string_to_sign.size();
  string_to_sign += scope_date;
  string_to_sign += '/';
  string_to_sign += region;
  string_to_sign += '/';
  string_to_sign += service_;
  string_to_sign += "/aws4_request";
  const size_t scope_end = string_to_sign.size();
  string_to_sign += '\n';
  const size_t hash_at = string_to_sign.size();
  string_to_sign.resize(hash_at + 64);
  HexEncodeTo(Sha256Raw(canonical), string_to_sign.data() + hash_at);

  // A session key lives on this stack: the per-thread fast path, which remembers the key's
  // address, is for the keys file's keys only.
  std::shared_ptr<const HmacSha256Key> session_signing_key;
  if (session_key) {
    session_signing_key = SigningKeyLocked(*key, std::string(scope_date), std::string(region));
  }
  const HmacSha256Key& signing_key =
      session_key ? *session_signing_key : SigningKeyFor(*key, scope_date, region);
  char expected[64];
  HexEncodeTo(signing_key.MacRaw(string_to_sign), expected);
  if (!ConstantTimeEquals(std::string_view(expected, sizeof expected), in.signature)) {
    return SignatureMismatch();
  }

  if (streaming) {
    const std::string scope =
        string_to_sign.substr(scope_start, scope_end - scope_start);  // before DecodeChunks
    LAMBDALITE_TRY(std::string decoded,
                   DecodeChunks(req.body, signing_key, std::string(in.amz_date), scope,
                                std::string(expected, sizeof expected)));
    if (const std::string* length = req.FindHeader("x-amz-decoded-content-length")) {
      if (*length != std::to_string(decoded.size())) return SignatureMismatch();
    }
    if (decoded_body != nullptr) *decoded_body = std::move(decoded);
  }
  return Caller{std::string(access_key_id), key->account, std::string(region)};
}

}  // namespace lambdalite::auth
