#include "domain/code_signing.h"

#include "common/ids.h"

namespace lambdalite::domain {

std::string NewCodeSigningConfigId() {
  std::string hex;
  for (char c : NewUuid()) {
    if (c != '-') hex += c;
  }
  return "csc-" + hex.substr(0, 17);
}

std::string CodeSigningConfigArn(const Scope& scope, std::string_view id) {
  return "arn:aws:lambda:" + scope.region + ":" + scope.account +
         ":code-signing-config:" + std::string(id);
}

namespace {
// Splits "arn:<partition>:lambda:<region>:<account>:<rest>" at its first five colons.
struct ArnParts {
  std::string_view region;
  std::string_view account;
  std::string_view rest;
};
std::optional<ArnParts> SplitArn(std::string_view arn) {
  std::string_view fields[5];
  for (auto& field : fields) {
    size_t colon = arn.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    field = arn.substr(0, colon);
    arn.remove_prefix(colon + 1);
  }
  if (fields[0] != "arn" || fields[2] != "lambda") return std::nullopt;
  return ArnParts{fields[3], fields[4], arn};
}
}  // namespace

std::optional<std::string> CodeSigningConfigIdInScope(std::string_view arn, const Scope& scope) {
  auto parts = SplitArn(arn);
  constexpr std::string_view kPrefix = "code-signing-config:";
  if (!parts || parts->region != scope.region || parts->account != scope.account ||
      !parts->rest.starts_with(kPrefix)) {
    return std::nullopt;
  }
  return std::string(parts->rest.substr(kPrefix.size()));
}

Result<TaggableRef> ParseTaggableArn(std::string_view arn) {
  auto parts = SplitArn(arn);
  // AWS's answer for a resource ARN it cannot resolve (part 1, tags).
  Error unresolvable = Error::Make(ErrorCode::kInvalidParameter,
                                   "An error occurred and the request cannot be processed.");
  if (!parts) return unresolvable;
  TaggableRef ref;
  ref.region = std::string(parts->region);
  ref.account = std::string(parts->account);
  std::string_view rest = parts->rest;
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return unresolvable;
  std::string_view type = rest.substr(0, colon);
  std::string_view id = rest.substr(colon + 1);
  if (type == "function") {
    ref.kind = TaggableKind::kFunction;
    size_t q = id.find(':');
    if (q != std::string_view::npos) {
      ref.qualifier = std::string(id.substr(q + 1));
      id = id.substr(0, q);
    }
  } else if (type == "layer") {
    ref.kind = TaggableKind::kLayer;
  } else if (type == "code-signing-config") {
    ref.kind = TaggableKind::kCodeSigningConfig;
  } else if (type == "event-source-mapping") {
    ref.kind = TaggableKind::kEventSourceMapping;
  } else if (type == "capacity-provider") {
    ref.kind = TaggableKind::kCapacityProvider;
  } else {
    return unresolvable;
  }
  if (id.empty() || id.find(':') != std::string_view::npos) return unresolvable;
  ref.id = std::string(id);
  return ref;
}

}  // namespace lambdalite::domain
