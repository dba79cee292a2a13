#include "aws/sigv4.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>
#include <vector>

#include "common/crypto.h"
#include "common/time_format.h"

namespace lambdalite::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ASCII only (std::isalnum asks the locale on every byte, a measurable part of verifying a
// request).
bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XY escapes. A '%' not followed by two hex digits is kept as a literal, so that a
// sloppy URL still signs the same way on both ends after re-encoding. '+' stays '+': SigV4 does not
// use form encoding.
std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// RFC 3986 section 5.2.4 on an absolute path; empty segments ("//") are kept.
std::string RemoveDotSegments(std::string_view path) {
  std::vector<std::string_view> out;
  bool trailing_slash = false;
  std::vector<std::string_view> segments = Split(path.substr(1), '/');
  for (std::string_view seg : segments) {
    trailing_slash = false;
    if (seg == ".") {
      trailing_slash = true;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = true;
    } else {
      out.push_back(seg);
    }
  }
  std::string result = "/";
  for (size_t i = 0; i < out.size(); ++i) {
    if (i > 0) result += '/';
    result += out[i];
  }
  if (trailing_slash && !out.empty()) result += '/';
  return result;
}

// Header value as SigV4 canonicalizes it: trimmed, with each run of whitespace (including folded
// line breaks) reduced to a single space.
std::string CanonicalHeaderValue(std::string_view value) {
  std::string out;
  bool in_space = false;
  for (char c : Trim(value)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out.push_back(' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

// Headers that intermediaries or the HTTP client legitimately add or rewrite; signing them would
// make a correct request fail verification.
bool IsUnsignedHeader(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "user-agent" || lower_name == "expect" ||
         lower_name == "connection" || lower_name == "content-length" ||
         lower_name == "transfer-encoding" || lower_name == "x-amzn-trace-id";
}

// Adds the headers that take part in the signature.
void AddSigningHeaders(const SigningParams& params, const ParsedUrl& url, ClientRequest* request) {
  if (!FindHeader(request->headers, "host")) request->headers.emplace_back("Host", url.host_header);
  SetHeader(&request->headers, "X-Amz-Date", FormatAmzDate(params.time_ms));
  if (!params.credentials.session_token.empty()) {
    SetHeader(&request->headers, "X-Amz-Security-Token", params.credentials.session_token);
  }
  if (params.options.add_content_sha256_header) {
    SetHeader(&request->headers, "x-amz-content-sha256",
              params.options.payload_hash ? *params.options.payload_hash
                                          : HexEncode(Sha256(request->body)));
  }
}

// Computes the signature of a request that already carries its signing headers.
SignatureParts Compute(const ClientRequest& request, const ParsedUrl& url,
                       const SigningParams& params) {
  // Canonical headers: lower-case names, sorted; repeated names joined with ',' in order.
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : request.headers) {
    std::string lower = ToLower(Trim(name));
    if (IsUnsignedHeader(lower)) continue;
    auto [it, inserted] = headers.try_emplace(lower, CanonicalHeaderValue(value));
    if (!inserted) it->second += "," + CanonicalHeaderValue(value);
  }
  std::string canonical_headers;
  std::string signed_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
  }

  const std::string payload_hash =
      params.options.payload_hash ? *params.options.payload_hash : HexEncode(Sha256(request.body));
  SignatureParts parts;
  parts.signed_headers = signed_headers;
  parts.canonical_request = request.method + "\n" + CanonicalUri(url.path, params.options) + "\n" +
                            CanonicalQueryString(url.query) + "\n" + canonical_headers + "\n" +
                            signed_headers + "\n" + payload_hash;

  const std::string amz_date = FormatAmzDate(params.time_ms);
  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + params.region + "/" + params.service + "/aws4_request";
  parts.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" +
                         HexEncode(Sha256(parts.canonical_request));

  std::string key = HmacSha256("AWS4" + params.credentials.secret_access_key, date);
  key = HmacSha256(key, params.region);
  key = HmacSha256(key, params.service);
  key = HmacSha256(key, "aws4_request");
  parts.signature = HexEncode(HmacSha256(key, parts.string_to_sign));
  parts.authorization = std::string(kAlgorithm) +
                        " Credential=" + params.credentials.access_key_id + "/" + scope +
                        ", SignedHeaders=" + signed_headers + ", Signature=" + parts.signature;
  return parts;
}

}  // namespace

SigningOptions SigningOptions::ForService(std::string_view service) {
  SigningOptions options;
  if (service == "s3") {
    options.double_encode_path = false;
    options.normalize_path = false;
    options.add_content_sha256_header = true;
  }
  return options;
}

std::string UriEncode(std::string_view bytes, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string CanonicalUri(std::string_view encoded_path, const SigningOptions& options) {
  std::string path = encoded_path.empty() ? "/" : std::string(encoded_path);
  if (path.front() != '/') path.insert(path.begin(), '/');
  // Only a "." or ".." segment changes under normalization (the common path skips the rebuild).
  if (options.normalize_path && path.find("/.") != std::string::npos) {
    path = RemoveDotSegments(path);
  }
  if (options.double_encode_path) return UriEncode(path, /*keep_slash=*/true);
  // Single encoding: bring each segment to the canonical form whatever escaping the caller chose.
  std::string out;
  bool first = true;
  for (std::string_view segment : Split(path, '/')) {
    if (!first) out += '/';
    first = false;
    out += UriEncode(PercentDecode(segment), /*keep_slash=*/false);
  }
  return out;
}

std::string CanonicalQueryString(std::string_view encoded_query) {
  if (encoded_query.empty()) return {};
  std::vector<std::pair<std::string, std::string>> params;
  for (std::string_view pair : Split(encoded_query, '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    params.emplace_back(UriEncode(PercentDecode(name), false),
                        UriEncode(PercentDecode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

Result<SignatureParts> ComputeSignature(const ClientRequest& request, const SigningParams& params) {
  LAMBDALITE_TRY(ParsedUrl url, ParseHttpUrl(request.url));
  ClientRequest copy = request;
  AddSigningHeaders(params, url, &copy);
  return Compute(copy, url, params);
}

Status SignRequest(const SigningParams& params, ClientRequest* request) {
  LAMBDALITE_TRY(ParsedUrl url, ParseHttpUrl(request->url));
  AddSigningHeaders(params, url, request);
  SignatureParts parts = Compute(*request, url, params);
  SetHeader(&request->headers, "Authorization", std::move(parts.authorization));
  return Status::Ok();
}

std::optional<CredentialScope> ParseCredential(std::string_view credential) {
  std::vector<std::string_view> parts = Split(credential, '/');
  if (parts.size() != 5 || parts[4] != "aws4_request") return std::nullopt;
  if (parts[0].empty() || parts[2].empty() || parts[3].empty()) return std::nullopt;
  if (parts[1].size() != 8 || !std::all_of(parts[1].begin(), parts[1].end(),
                                           [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  return CredentialScope{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                         std::string(parts[3])};
}

std::optional<CredentialScope> ParseAuthorizationScope(std::string_view header) {
  header = Trim(header);
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm) return std::nullopt;
  header.remove_prefix(kAlgorithm.size());
  if (header.empty() || (header.front() != ' ' && header.front() != '\t')) return std::nullopt;
  for (std::string_view component : Split(header, ',')) {
    component = Trim(component);
    constexpr std::string_view kCredential = "Credential=";
    if (component.substr(0, kCredential.size()) == kCredential) {
      return ParseCredential(Trim(component.substr(kCredential.size())));
    }
  }
  return std::nullopt;
}

std::optional<std::string> QueryParameter(std::string_view target, std::string_view name) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  for (std::string_view pair : Split(target.substr(q + 1), '&')) {
    const size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) != name) continue;
    return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::optional<std::string> AccountFromAccessKey(std::string_view access_key_id) {
  if (access_key_id.size() != 12) return std::nullopt;
  if (!std::all_of(access_key_id.begin(), access_key_id.end(),
                   [](unsigned char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::string(access_key_id);
}

}  // namespace lambdalite::aws
