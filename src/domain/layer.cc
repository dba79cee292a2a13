#include "domain/layer.h"

#include <algorithm>
#include <charconv>

namespace lambdalite::domain {

namespace {

// "arn:<partition>:lambda:<region>:<account>:layer:<name>[:<version>]" split on ':'.
std::vector<std::string_view> SplitColons(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(':', start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

bool Contains(const std::optional<std::vector<std::string>>& list, const std::string& value) {
  return list && std::find(list->begin(), list->end(), value) != list->end();
}

}  // namespace

std::string LayerArn(const Scope& scope, std::string_view name) {
  return "arn:aws:lambda:" + scope.region + ":" + scope.account + ":layer:" + std::string(name);
}

std::string LayerVersionArn(const Scope& scope, std::string_view name, int64_t version) {
  return LayerArn(scope, name) + ":" + std::to_string(version);
}

std::optional<LayerVersionRef> ParseLayerVersionArn(std::string_view arn) {
  auto parts = SplitColons(arn);
  if (parts.size() != 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "layer" ||
      parts[6].empty()) {
    return std::nullopt;
  }
  LayerVersionRef ref;
  ref.scope.region = std::string(parts[3]);
  ref.scope.account = std::string(parts[4]);
  ref.name = std::string(parts[6]);
  auto [end, ec] = std::from_chars(parts[7].data(), parts[7].data() + parts[7].size(), ref.version);
  if (ec != std::errc() || end != parts[7].data() + parts[7].size()) return std::nullopt;
  return ref;
}

LayerNameRef ParseLayerName(std::string_view layer_name) {
  LayerNameRef ref;
  auto parts = SplitColons(layer_name);
  if (parts.size() == 7 && parts[0] == "arn" && parts[5] == "layer") {
    ref.scope = Scope{std::string(parts[4]), std::string(parts[3])};
    ref.name = std::string(parts[6]);
  } else {
    ref.name = std::string(layer_name);
  }
  return ref;
}

bool LayerPolicyAllows(const Policy& policy, std::string_view account, std::string_view action) {
  const std::string root = "arn:aws:iam::" + std::string(account) + ":root";
  for (const PolicyStatement& s : policy.statements) {
    if (s.effect != "Allow" || s.action != action || !s.condition.empty()) continue;
    if (s.principal.kind == PolicyPrincipal::Kind::kAny) return true;
    if (s.principal.kind == PolicyPrincipal::Kind::kAws && s.principal.value == root) return true;
  }
  return false;
}

PolicyStatement BuildLayerStatement(std::string sid, std::string_view action,
                                    std::string_view principal, std::string resource,
                                    const std::optional<std::string>& organization_id) {
  PolicyStatement s;
  s.sid = std::move(sid);
  s.action = std::string(action);
  s.resource = std::move(resource);
  if (principal == "*") {
    s.principal.kind = PolicyPrincipal::Kind::kAny;
  } else {
    s.principal.kind = PolicyPrincipal::Kind::kAws;
    s.principal.value = principal.find(':') == std::string_view::npos
                            ? "arn:aws:iam::" + std::string(principal) + ":root"
                            : std::string(principal);
  }
  if (organization_id) {
    s.condition.push_back(
        ConditionBlock{"StringEquals", {{"aws:PrincipalOrgID", *organization_id}}});
  }
  return s;
}

bool LayerMatches(const LayerVersion& v, const std::optional<std::string>& runtime,
                  const std::optional<std::string>& architecture) {
  if (runtime && !Contains(v.compatible_runtimes, *runtime)) return false;
  if (architecture && !Contains(v.compatible_architectures, *architecture)) return false;
  return true;
}

}  // namespace lambdalite::domain
