// Fuzzes the parsers of names and ARNs: FunctionName forms (domain/names.h), taggable ARNs
// (domain/code_signing.h), policy principals (domain/policy.h), published version keys
// (storage/codec.h) and generic ARNs (aws/sqs_client.h). Checks the round trips the service
// relies on: a full function ARN parses back to the ARN it was built from, and a published version
// key prints back to itself.
//
// Input: the text to parse; a second line, if any, is the explicit Qualifier parameter.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "aws/sqs_client.h"
#include "domain/code_signing.h"
#include "domain/names.h"
#include "domain/policy.h"
#include "storage/codec.h"

namespace {

using namespace lambdalite;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "names_fuzz: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<std::string> explicit_q;
  if (const size_t eol = text.find('\n'); eol != std::string_view::npos) {
    explicit_q = std::string(text.substr(eol + 1));
    text = text.substr(0, eol);
  }

  auto ref = domain::ParseFunctionName(text);
  if (ref.ok()) {
    Check(!ref->name.empty(), "empty function name accepted");
    Check(ref->name.find(':') == std::string::npos, "function name keeps a ':'");
    Check(!ref->qualifier || !ref->qualifier->empty(), "empty qualifier accepted");
    auto q = domain::ResolveQualifier(*ref, explicit_q);
    if (q.ok() && ref->qualifier) Check(*q == ref->qualifier, "qualifier from the name lost");
    const domain::Scope scope{ref->account.value_or("123456789012"),
                              ref->region.value_or("us-east-1")};
    Check(domain::CheckScope(*ref, scope).ok(), "a name is out of its own scope");
    // The 7- and 8-field forms (the 6-field "arn:aws:lambda:<region>:<account>:<name>" reads
    // differently on purpose, see names.cc).
    if (text.substr(0, 15) == "arn:aws:lambda:" && ref->account && ref->region &&
        std::count(text.begin(), text.end(), ':') >= 6) {
      const std::string arn = ref->qualifier
                                  ? domain::QualifiedFunctionArn(scope, ref->name, *ref->qualifier)
                                  : domain::FunctionArn(scope, ref->name);
      Check(arn == text, "a function ARN does not round-trip");
    }
  }
  (void)domain::IsVersionNumber(text);

  auto taggable = domain::ParseTaggableArn(text);
  if (taggable.ok()) Check(!taggable->id.empty(), "taggable ARN without an id");

  (void)domain::ParsePrincipal(text);

  if (auto version = storage::ParsePublishedVersion(text)) {
    Check(std::to_string(*version) == text, "a version key does not round-trip");
  }

  if (auto arn = aws::ParseArn(text)) {
    Check(text.substr(0, 4) == "arn:", "ARN parsed without its prefix");
  }
  return 0;
}
