#include "domain/names.h"

#include <vector>

#include "common/crypto.h"

namespace lambdalite::domain {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

Error BadName(std::string_view name) {
  // The model's patterns normally reject these first; this is the fallback wording AWS uses for
  // names that pass a permissive pattern but cannot be resolved.
  return Error::Make(ErrorCode::kInvalidParameter, "Invalid function name: " + std::string(name));
}

}  // namespace

Result<FunctionRef> ParseFunctionName(std::string_view function_name) {
  FunctionRef ref;
  auto parts = Split(function_name, ':');
  if (parts.size() >= 7 && parts[0] == "arn") {
    // arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]
    if (parts.size() > 8 || parts[2] != "lambda" || parts[5] != "function") {
      return BadName(function_name);
    }
    ref.region = std::string(parts[3]);
    ref.account = std::string(parts[4]);
    ref.name = std::string(parts[6]);
    if (parts.size() == 8) ref.qualifier = std::string(parts[7]);
  } else if (parts.size() == 6 && parts[0] == "arn" && parts[2] == "lambda") {
    // arn:<partition>:lambda:<region>:<account>:<name>. The model's pattern lets "function:" be
    // left out, so AWS reads "arn:aws:lambda:us-east-1:123456789012:function" as the function
    // named "function" and answers 404 for it, not 400.
    ref.region = std::string(parts[3]);
    ref.account = std::string(parts[4]);
    ref.name = std::string(parts[5]);
  } else if (parts.size() >= 3 && parts[1] == "function") {
    // <account>:function:<name>[:<qualifier>]
    if (parts.size() > 4) return BadName(function_name);
    ref.account = std::string(parts[0]);
    ref.name = std::string(parts[2]);
    if (parts.size() == 4) ref.qualifier = std::string(parts[3]);
  } else if (parts.size() <= 2) {
    ref.name = std::string(parts[0]);
    if (parts.size() == 2) ref.qualifier = std::string(parts[1]);
  } else {
    return BadName(function_name);
  }
  if (ref.name.empty() || (ref.qualifier && ref.qualifier->empty())) return BadName(function_name);
  return ref;
}

Result<std::optional<std::string>> ResolveQualifier(const FunctionRef& ref,
                                                    const std::optional<std::string>& explicit_q) {
  if (ref.qualifier && explicit_q && *ref.qualifier != *explicit_q) {
    return Error::Make(
        ErrorCode::kInvalidParameter,
        "The derived qualifier from the function name does not match the specified qualifier.");
  }
  if (explicit_q) return explicit_q;
  return ref.qualifier;
}

Status CheckScope(const FunctionRef& ref, const Scope& scope) {
  if (ref.account && *ref.account != scope.account) {
    // AWS answers a cross-account name with a bare AccessDeniedException.
    return Error::Make(ErrorCode::kAccessDenied, "");
  }
  if (ref.region && *ref.region != scope.region) {
    return Error::Make(ErrorCode::kNotFound, "Functions from '" + *ref.region +
                                                 "' are not reachable in this region ('" +
                                                 scope.region + "')");
  }
  return Status::Ok();
}

std::string FunctionArn(const Scope& scope, std::string_view name) {
  std::string arn = "arn:aws:lambda:";
  arn += scope.region;
  arn += ':';
  arn += scope.account;
  arn += ":function:";
  arn += name;
  return arn;
}

std::string QualifiedFunctionArn(const Scope& scope, std::string_view name,
                                 std::string_view qualifier) {
  std::string arn = FunctionArn(scope, name);
  arn += ':';
  arn += qualifier;
  return arn;
}

std::string RuntimeVersionName(std::string_view runtime) {
  // "python3.12" -> "python" + "3.12"; "nodejs22.x" -> "nodejs" + "22"; "provided.al2023" ->
  // "provided" + "al2023"; "java8.al2" -> "java" + "8.al2".
  size_t split = 0;
  while (split < runtime.size() && runtime[split] >= 'a' && runtime[split] <= 'z') ++split;
  std::string_view family = runtime.substr(0, split);
  std::string_view release = runtime.substr(split);
  if (!release.empty() && release.front() == '.') release.remove_prefix(1);
  if (release.size() > 2 && release.substr(release.size() - 2) == ".x") {
    release.remove_suffix(2);
  }
  std::string name(family);
  if (!release.empty()) name.append(1, ':').append(release);
  return name + ".v1";
}

std::string RuntimeVersionArn(const Scope& scope, std::string_view runtime) {
  return "arn:aws:lambda:" + scope.region + "::runtime:" + HexEncode(Sha256(runtime));
}

bool IsVersionNumber(std::string_view q) {
  if (q.empty() || q.size() > 18) return false;
  for (char c : q) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// "\w+\-\d+" at the end of a region, after its partition prefix.
bool IsRegionTail(std::string_view tail) {
  const size_t dash = tail.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == tail.size()) return false;
  for (size_t i = 0; i < dash; ++i) {
    if (!IsWordChar(tail[i])) return false;
  }
  for (size_t i = dash + 1; i < tail.size(); ++i) {
    if (tail[i] < '0' || tail[i] > '9') return false;
  }
  return true;
}

}  // namespace

bool IsValidRegion(std::string_view region) {
  // Prefixes of the partitions' regionRegex, each followed by "\w+\-\d+".
  static constexpr std::string_view kPrefixes[] = {
      "us-", "eu-", "ap-",     "sa-",     "ca-",      "me-",      "af-",      "il-",
      "mx-", "cn-", "us-gov-", "us-iso-", "us-isob-", "eu-isoe-", "us-isof-", "eusc-de-"};
  for (std::string_view prefix : kPrefixes) {
    if (region.substr(0, prefix.size()) == prefix && IsRegionTail(region.substr(prefix.size()))) {
      return true;
    }
  }
  return false;
}

}  // namespace lambdalite::domain
