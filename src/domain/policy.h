#pragma once

// Resource-based policies: the documents AddPermission builds and GetPolicy returns, in AWS's
// rendering. Pure values and rules (no I/O, no JSON library): the document text is produced by a
// small serializer here, because its exact bytes are part of the API (GetPolicy's `Policy`,
// AddPermission's `Statement`) and its length is what AWS's 20 KB limit measures.
//
// Reuse: `PolicyStatement` is the generic IAM statement (Sid, Effect, Principal, Action,
// Resource, Condition) of any Lambda resource policy. Function policies build theirs with
// `BuildFunctionStatement`; layer version policies (AddLayerVersionPermission) can build a
// statement of their own (Principal "*" or an account, Action "lambda:GetLayerVersion", a
// Condition on aws:PrincipalOrgID) and render it with the same `RenderStatement` /
// `RenderPolicyDocument`, and keep it in the same `Policy` value (statements in insertion order
// plus a revision id).
//
// Rendering (recorded, aws-lambda-behaviour-2.md section 1.1): compact JSON, keys in the order
//   document:  Version ("2012-10-17"), Id ("default"), Statement [ ... ]
//   statement: Sid, Effect, Principal, Action, Resource, Condition (only when non-empty)
//   Principal: "*" as the bare string; {"Service": "<host>"} or {"AWS": "<arn>"} otherwise
//   Condition: blocks in the order they were added, keys within a block likewise.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lambdalite::domain {

// The policy size AWS allows for a function (and layer version) resource policy, in bytes of the
// rendered document: "The final policy size (N) is bigger than the limit (20480)."
inline constexpr size_t kMaxPolicyBytes = 20480;

struct PolicyPrincipal {
  enum class Kind { kAny, kService, kAws };
  Kind kind = Kind::kAny;
  std::string value;  // the service host or the AWS ARN; empty for kAny
  friend bool operator==(const PolicyPrincipal&, const PolicyPrincipal&) = default;
};

// One condition operator and its key/value pairs, e.g. {"StringEquals", {{"AWS:SourceAccount",
// "123456789012"}}}. Order is kept: AWS renders keys in the order it adds them.
struct ConditionBlock {
  std::string op;
  std::vector<std::pair<std::string, std::string>> entries;
  friend bool operator==(const ConditionBlock&, const ConditionBlock&) = default;
};

struct PolicyStatement {
  std::string sid;
  std::string effect = "Allow";
  PolicyPrincipal principal;
  std::string action;
  std::string resource;
  std::vector<ConditionBlock> condition;  // empty: no Condition key
  friend bool operator==(const PolicyStatement&, const PolicyStatement&) = default;
};

// A resource policy: statements in insertion order, and the revision id that changes (to a new
// UUID) with every change. A policy without statements does not exist (GetPolicy answers 404).
struct Policy {
  std::string revision_id;
  std::vector<PolicyStatement> statements;
  friend bool operator==(const Policy&, const Policy&) = default;
};

// How AWS reads AddPermission's Principal: "*" stays "*"; a 12-digit account id becomes
// {"AWS": "arn:aws:iam::<account>:root"}; an ARN is {"AWS": <arn>}; anything else is a service
// principal {"Service": <principal>}.
PolicyPrincipal ParsePrincipal(std::string_view principal);

// AddPermission's inputs beyond Sid, Action and Principal, as given (unset = not given).
struct PermissionConditions {
  std::optional<std::string> source_arn;
  std::optional<std::string> source_account;
  std::optional<std::string> event_source_token;
  std::optional<std::string> principal_org_id;
  std::optional<std::string> function_url_auth_type;
  std::optional<bool> invoked_via_function_url;
};

// The statement AddPermission adds to a function's policy. Condition blocks, in AWS's order
// (recorded RP9: StringEquals before ArnLike; within StringEquals AWS:SourceAccount,
// lambda:FunctionUrlAuthType, aws:PrincipalOrgID):
//   StringEquals: AWS:SourceAccount, lambda:EventSourceToken, lambda:FunctionUrlAuthType,
//                 aws:PrincipalOrgID
//   ArnLike:      AWS:SourceArn
//   Bool:         lambda:InvokedViaFunctionUrl ("true" / "false")
// The places of lambda:EventSourceToken and of the Bool block are not recorded (see
// docs/research/aws-error-messages.md section 15).
PolicyStatement BuildFunctionStatement(std::string sid, std::string_view action,
                                       std::string_view principal, std::string resource,
                                       const PermissionConditions& conditions);

// Compact JSON text of one statement / of the whole document.
std::string RenderStatement(const PolicyStatement& statement);
std::string RenderPolicyDocument(const std::vector<PolicyStatement>& statements);

// JSON string literal of `s` (quotes included), escaping as JSON requires.
std::string JsonQuote(std::string_view s);

// Index of the statement with `sid`, or nullopt.
std::optional<size_t> FindStatement(const Policy& policy, std::string_view sid);

}  // namespace lambdalite::domain
