// Resource-policy operations. The document text is rendered by domain/policy (its bytes are part
// of the API); these handlers only map members.
#include "api/operations/policies.h"

#include "api/mapping.h"

namespace lambdalite::api {

namespace json = boost::json;

namespace {

std::string Name(const json::object& in) { return GetString(in, "FunctionName").value_or(""); }

service::AddPermissionInput ToAddPermissionInput(const json::object& in) {
  service::AddPermissionInput out;
  out.statement_id = GetString(in, "StatementId").value_or("");
  out.action = GetString(in, "Action").value_or("");
  out.principal = GetString(in, "Principal").value_or("");
  out.revision_id = GetString(in, "RevisionId");
  out.conditions.source_arn = GetString(in, "SourceArn");
  out.conditions.source_account = GetString(in, "SourceAccount");
  out.conditions.event_source_token = GetString(in, "EventSourceToken");
  out.conditions.principal_org_id = GetString(in, "PrincipalOrgID");
  out.conditions.function_url_auth_type = GetString(in, "FunctionUrlAuthType");
  out.conditions.invoked_via_function_url = GetBool(in, "InvokedViaFunctionUrl");
  return out;
}

}  // namespace

void RegisterPolicies(LambdaApi& api, service::FunctionService& fs) {
  api.Register("AddPermission",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(std::string statement,
                                fs.AddPermission(ctx.scope, Name(in), GetString(in, "Qualifier"),
                                                 ToAddPermissionInput(in)));
                 Reply r;
                 r.json = json::object{{"Statement", statement}};  // RP1: no RevisionId
                 return r;
               });
  api.Register("GetPolicy",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(service::PolicyView view,
                                fs.GetPolicy(ctx.scope, Name(in), GetString(in, "Qualifier")));
                 Reply r;
                 r.json = json::object{{"Policy", view.document}, {"RevisionId", view.revision_id}};
                 return r;
               });
  api.Register("RemovePermission",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_RETURN_IF_ERROR(fs.RemovePermission(
                     ctx.scope, Name(in), GetString(in, "StatementId").value_or(""),
                     GetString(in, "Qualifier"), GetString(in, "RevisionId")));
                 Reply r;
                 r.status = 204;
                 return r;
               });
}

}  // namespace lambdalite::api
