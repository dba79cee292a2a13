// Resource-policy operations. The document text is rendered by domain/policy (its bytes are part
// of the API); these handlers only map members (api/policy_mapping.h).
#include "api/operations/policies.h"

#include "api/policy_mapping.h"
#include "api/shapes.h"

namespace lambdalite::api {

void RegisterPolicies(LambdaApi& api, service::FunctionService& fs) {
  api.RegisterTyped<shapes::AddPermissionRequest>(
      "AddPermission",
      [&fs](const RequestContext& ctx,
            const shapes::AddPermissionRequest& in) -> Result<shapes::AddPermissionResponse> {
        LAMBDALITE_TRY(
            std::string statement,
            fs.AddPermission(ctx.scope, in.FunctionName, in.Qualifier, ToAddPermissionInput(in)));
        return ToAddPermissionResponse(std::move(statement));
      });
  api.RegisterTyped<shapes::GetPolicyRequest>(
      "GetPolicy",
      [&fs](const RequestContext& ctx,
            const shapes::GetPolicyRequest& in) -> Result<shapes::GetPolicyResponse> {
        LAMBDALITE_TRY(service::PolicyView view,
                       fs.GetPolicy(ctx.scope, in.FunctionName, in.Qualifier));
        return ToGetPolicyResponse(std::move(view));
      });
  // No output shape: the model's 204 and an empty body.
  api.RegisterTyped<shapes::RemovePermissionRequest>(
      "RemovePermission",
      [&fs](const RequestContext& ctx, const shapes::RemovePermissionRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(fs.RemovePermission(ctx.scope, in.FunctionName, in.StatementId,
                                                       in.Qualifier, in.RevisionId));
        Reply r;
        r.status = 204;
        return r;
      });
}

}  // namespace lambdalite::api
