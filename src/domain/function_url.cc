#include "domain/function_url.h"

#include "common/crypto.h"

namespace lambdalite::domain {

namespace {

constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

// The value of `key` in the statement's `op` block, or nullptr.
const std::string* ConditionValue(const PolicyStatement& s, std::string_view op,
                                  std::string_view key) {
  for (const ConditionBlock& block : s.condition) {
    if (block.op != op) continue;
    for (const auto& [k, v] : block.entries) {
      if (k == key) return &v;
    }
  }
  return nullptr;
}

bool PrincipalMatches(const PolicyPrincipal& p, const UrlCaller& caller) {
  if (p.kind == PolicyPrincipal::Kind::kAny) return true;
  if (p.kind != PolicyPrincipal::Kind::kAws || !caller.signed_request) return false;
  // {"AWS": "arn:aws:iam::<account>:root"} (AddPermission's rendering of an account id) or any
  // principal ARN of that account.
  const std::string needle = ":" + caller.account + ":";
  return p.value.find(needle) != std::string::npos;
}

// Whether every condition of `s` holds for a function URL request of `auth_type`. Conditions
// lambdalite cannot evaluate for a URL request (a source ARN, an organization) do not hold.
bool ConditionsHold(const PolicyStatement& s, std::string_view auth_type) {
  for (const ConditionBlock& block : s.condition) {
    for (const auto& [key, value] : block.entries) {
      if (block.op == "StringEquals" && key == "lambda:FunctionUrlAuthType") {
        if (value != auth_type) return false;
      } else if (block.op == "Bool" && key == "lambda:InvokedViaFunctionUrl") {
        if (value != "true") return false;
      } else {
        return false;
      }
    }
  }
  return true;
}

bool Grants(const std::vector<PolicyStatement>& statements, std::string_view action,
            std::string_view auth_type, const UrlCaller& caller) {
  for (const PolicyStatement& s : statements) {
    if (s.effect != "Allow" || !PrincipalMatches(s.principal, caller)) continue;
    if (s.action != action && s.action != "lambda:*") continue;
    if (action == "lambda:InvokeFunctionUrl") {
      // AWS requires the auth type condition on the URL permission.
      const std::string* type = ConditionValue(s, "StringEquals", "lambda:FunctionUrlAuthType");
      if (type == nullptr || *type != auth_type) continue;
    }
    if (ConditionsHold(s, auth_type)) return true;
  }
  return false;
}

}  // namespace

std::string NewUrlId() {
  const std::string bytes = RandomBytes(kUrlIdLength);
  std::string id;
  id.reserve(kUrlIdLength);
  // 256 is not a multiple of 36: the first 252 values map evenly, the rest are redrawn.
  for (unsigned char b : bytes) {
    while (b >= 252) b = static_cast<unsigned char>(RandomBytes(1)[0]);
    id.push_back(kAlphabet[b % kAlphabet.size()]);
  }
  return id;
}

bool IsUrlId(std::string_view text) {
  if (text.size() != kUrlIdLength) return false;
  for (char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool UrlInvokeAllowed(const std::vector<PolicyStatement>& statements, std::string_view auth_type,
                      std::string_view function_account, const UrlCaller& caller) {
  if (auth_type == kUrlAuthIam) {
    if (!caller.signed_request) return false;
    if (caller.account == function_account) return true;
  }
  return Grants(statements, "lambda:InvokeFunctionUrl", auth_type, caller) &&
         Grants(statements, "lambda:InvokeFunction", auth_type, caller);
}

}  // namespace lambdalite::domain
