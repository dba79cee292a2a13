#include "domain/capacity_provider.h"

namespace lambdalite::domain {

std::string CapacityProviderArn(const Scope& scope, std::string_view name) {
  std::string arn = "arn:aws:lambda:";
  arn.append(scope.region).append(":").append(scope.account).append(":capacity-provider:");
  arn.append(name);
  return arn;
}

CapacityProviderRef ParseCapacityProviderName(const Scope& scope, std::string_view text) {
  CapacityProviderRef ref;
  if (text.substr(0, 4) != "arn:") {
    ref.name = std::string(text);
    return ref;
  }
  // arn:<partition>:lambda:<region>:<account>:capacity-provider:<name> (the model's pattern).
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (parts.size() < 6) {
    size_t colon = text.find(':', pos);
    if (colon == std::string_view::npos) break;
    parts.push_back(text.substr(pos, colon - pos));
    pos = colon + 1;
  }
  ref.name = std::string(text.substr(pos));
  ref.in_scope = parts.size() == 6 && parts[3] == scope.region && parts[4] == scope.account;
  return ref;
}

}  // namespace lambdalite::domain
