// Fuzzes the parsing of incoming SigV4 material (aws/sigv4.h): the Authorization header's
// credential scope (the account and region of every request come from it), bare credentials
// (X-Amz-Credential), the access-key-to-account convention, and the canonical URI / query string
// steps a signature check recomputes. A parsed scope must be well formed: a non-empty key,
// region and service, and an eight-digit date. The same header and target then go through
// auth::SigV4Verifier::Verify (--auth-keys; header and presigned-query parsing up to the signature
// comparison, which random input does not pass), and the text through KeyRing::Parse.
// TODO(coordinator): sign inputs in the harness so that aws-chunked bodies are reached too.
//
// Input: an Authorization header value; a second line, if any, is a request target whose path and
// query go through the canonicalisation steps.

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "auth/sigv4_verifier.h"
#include "aws/sigv4.h"
#include "common/clock.h"
#include "http/handler.h"

namespace {

using namespace lambdalite;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "sigv4_fuzz: %s\n", what);
    std::abort();
  }
}

void CheckScope(const aws::CredentialScope& scope) {
  Check(!scope.access_key_id.empty() && !scope.region.empty() && !scope.service.empty(),
        "credential scope with an empty part");
  Check(scope.date.size() == 8, "credential date is not 8 characters");
  for (char c : scope.date) Check(std::isdigit(static_cast<unsigned char>(c)), "date not digits");
  for (const std::string* part : {&scope.access_key_id, &scope.region, &scope.service}) {
    Check(part->find('/') == std::string::npos, "credential part keeps a '/'");
  }
  if (auto account = aws::AccountFromAccessKey(scope.access_key_id)) {
    Check(account->size() == 12, "account id is not 12 digits");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view header(reinterpret_cast<const char*>(data), size);
  std::string_view target;
  if (const size_t eol = header.find('\n'); eol != std::string_view::npos) {
    target = header.substr(eol + 1);
    header = header.substr(0, eol);
  }
  if (auto scope = aws::ParseAuthorizationScope(header)) CheckScope(*scope);
  if (auto scope = aws::ParseCredential(header)) CheckScope(*scope);

  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? "" : target.substr(q + 1);
  for (std::string_view service : {"lambda", "s3"}) {
    const std::string canonical = aws::CanonicalUri(path, aws::SigningOptions::ForService(service));
    Check(!canonical.empty() && canonical.front() == '/', "canonical URI not absolute");
  }
  (void)aws::CanonicalQueryString(query);
  static const FakeClock clock(1'767'225'600'000);  // 2026-01-01T00:00:00Z
  static const auth::SigV4Verifier* verifier = [] {
    auto keys = auth::KeyRing::Parse("AKIDEXAMPLE secret 123456789012\n");
    Check(keys.ok(), "the fuzzer's key ring does not parse");
    return new auth::SigV4Verifier(std::move(keys).value(), clock);
  }();
  http::HttpRequest request;
  request.method = "GET";
  request.target = std::string(target.empty() ? "/" : target);
  request.headers.push_back({"Host", "localhost"});
  request.headers.push_back({"X-Amz-Date", "20260101T000000Z"});
  if (!header.empty()) request.headers.push_back({"Authorization", std::string(header)});
  std::string decoded;
  auto caller = verifier->Verify(request, &decoded);
  if (!caller.ok()) {
    Check(caller.error().code == ErrorCode::kAccessDenied, "a refusal that is not kAccessDenied");
    Check(!caller.error().detail.empty(), "a refusal without its AWS error type");
  }
  (void)auth::KeyRing::Parse(std::string_view(reinterpret_cast<const char*>(data), size));

  const std::string encoded = aws::UriEncode(header, /*keep_slash=*/false);
  for (char c : encoded) {
    Check(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
              c == '~' || c == '%',
          "UriEncode left a reserved character");
  }
  return 0;
}
