#include "domain/policy.h"

#include <cstdio>

namespace lambdalite::domain {
namespace {

bool IsAccountId(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

void AddCondition(std::vector<ConditionBlock>& blocks, std::string_view op, std::string key,
                  std::string value) {
  for (ConditionBlock& block : blocks) {
    if (block.op == op) {
      block.entries.emplace_back(std::move(key), std::move(value));
      return;
    }
  }
  blocks.push_back(ConditionBlock{std::string(op), {{std::move(key), std::move(value)}}});
}

}  // namespace

PolicyPrincipal ParsePrincipal(std::string_view principal) {
  if (principal == "*") return {PolicyPrincipal::Kind::kAny, ""};
  if (IsAccountId(principal)) {
    return {PolicyPrincipal::Kind::kAws, "arn:aws:iam::" + std::string(principal) + ":root"};
  }
  if (principal.substr(0, 4) == "arn:") {
    return {PolicyPrincipal::Kind::kAws, std::string(principal)};
  }
  return {PolicyPrincipal::Kind::kService, std::string(principal)};
}

PolicyStatement BuildFunctionStatement(std::string sid, std::string_view action,
                                       std::string_view principal, std::string resource,
                                       const PermissionConditions& c) {
  PolicyStatement s;
  s.sid = std::move(sid);
  s.principal = ParsePrincipal(principal);
  s.action = std::string(action);
  s.resource = std::move(resource);
  // StringEquals first, ArnLike second (recorded RP9); the key case differs (AWS: vs aws:).
  if (c.source_account)
    AddCondition(s.condition, "StringEquals", "AWS:SourceAccount", *c.source_account);
  if (c.event_source_token) {
    AddCondition(s.condition, "StringEquals", "lambda:EventSourceToken", *c.event_source_token);
  }
  if (c.function_url_auth_type) {
    AddCondition(s.condition, "StringEquals", "lambda:FunctionUrlAuthType",
                 *c.function_url_auth_type);
  }
  if (c.principal_org_id) {
    AddCondition(s.condition, "StringEquals", "aws:PrincipalOrgID", *c.principal_org_id);
  }
  if (c.source_arn) AddCondition(s.condition, "ArnLike", "AWS:SourceArn", *c.source_arn);
  if (c.invoked_via_function_url) {
    AddCondition(s.condition, "Bool", "lambda:InvokedViaFunctionUrl",
                 *c.invoked_via_function_url ? "true" : "false");
  }
  return s;
}

std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string RenderStatement(const PolicyStatement& s) {
  std::string out =
      "{\"Sid\":" + JsonQuote(s.sid) + ",\"Effect\":" + JsonQuote(s.effect) + ",\"Principal\":";
  switch (s.principal.kind) {
    case PolicyPrincipal::Kind::kAny:
      out += "\"*\"";
      break;
    case PolicyPrincipal::Kind::kService:
      out += "{\"Service\":" + JsonQuote(s.principal.value) + "}";
      break;
    case PolicyPrincipal::Kind::kAws:
      out += "{\"AWS\":" + JsonQuote(s.principal.value) + "}";
      break;
  }
  out += ",\"Action\":" + JsonQuote(s.action) + ",\"Resource\":" + JsonQuote(s.resource);
  if (!s.condition.empty()) {
    out += ",\"Condition\":{";
    for (size_t b = 0; b < s.condition.size(); ++b) {
      if (b > 0) out += ',';
      out += JsonQuote(s.condition[b].op) + ":{";
      const auto& entries = s.condition[b].entries;
      for (size_t e = 0; e < entries.size(); ++e) {
        if (e > 0) out += ',';
        out += JsonQuote(entries[e].first) + ":" + JsonQuote(entries[e].second);
      }
      out += '}';
    }
    out += '}';
  }
  out += '}';
  return out;
}

std::string RenderPolicyDocument(const std::vector<PolicyStatement>& statements) {
  std::string out = "{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[";
  for (size_t i = 0; i < statements.size(); ++i) {
    if (i > 0) out += ',';
    out += RenderStatement(statements[i]);
  }
  out += "]}";
  return out;
}

std::optional<size_t> FindStatement(const Policy& policy, std::string_view sid) {
  for (size_t i = 0; i < policy.statements.size(); ++i) {
    if (policy.statements[i].sid == sid) return i;
  }
  return std::nullopt;
}

}  // namespace lambdalite::domain
