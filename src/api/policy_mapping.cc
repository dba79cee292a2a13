#include "api/policy_mapping.h"

#include <utility>

namespace lambdalite::api {

service::AddPermissionInput ToAddPermissionInput(const shapes::AddPermissionRequest& in) {
  service::AddPermissionInput out;
  out.statement_id = in.StatementId;
  out.action = in.Action;
  out.principal = in.Principal;
  out.revision_id = in.RevisionId;
  out.conditions.source_arn = in.SourceArn;
  out.conditions.source_account = in.SourceAccount;
  out.conditions.event_source_token = in.EventSourceToken;
  out.conditions.principal_org_id = in.PrincipalOrgID;
  out.conditions.function_url_auth_type = in.FunctionUrlAuthType;
  out.conditions.invoked_via_function_url = in.InvokedViaFunctionUrl;
  return out;
}

shapes::AddPermissionResponse ToAddPermissionResponse(std::string statement) {
  shapes::AddPermissionResponse out;
  out.Statement = std::move(statement);
  return out;
}

shapes::GetPolicyResponse ToGetPolicyResponse(service::PolicyView view) {
  shapes::GetPolicyResponse out;
  out.Policy = std::move(view.document);
  out.RevisionId = std::move(view.revision_id);
  return out;
}

}  // namespace lambdalite::api
