// Code signing config and runtime management config operations: the generated request shape in,
// service calls, the generated response shape out (api/code_signing_mapping.h). The rules live in
// service/code_signing_ops.cc and runtime_management_ops.cc.
#include "api/operations/code_signing.h"

#include "api/code_signing_mapping.h"
#include "api/shapes.h"

namespace lambdalite::api {

using service::FunctionService;

namespace {

constexpr int kDefaultMaxItems = 50;

int MaxItems(const std::optional<int32_t>& max_items) {
  return max_items.value_or(kDefaultMaxItems);
}

// The model's success code (204 for the deletes) and an empty body: the delete operations have no
// output members, and an encoded empty shape would send "{}".
Reply Empty() { return Reply{}; }

// A runtime management answer. AWS sends RuntimeVersionArn as null outside the Manual mode
// (reference RM1), which a shape's optional cannot express: it is appended after the members the
// shape sent, the last of wire_order.json's order.
template <class Resp>
Reply RuntimeManagementReply(Resp&& resp) {
  const bool null_arn = !resp.RuntimeVersionArn.has_value();
  Reply r = ToReply(std::forward<Resp>(resp));
  if (null_arn && r.json) r.json->emplace("RuntimeVersionArn", nullptr);
  return r;
}

}  // namespace

void RegisterCodeSigning(LambdaApi& api, FunctionService& fs) {
  // --- code signing configs ---------------------------------------------------------------------
  api.RegisterTyped<shapes::CreateCodeSigningConfigRequest>(
      "CreateCodeSigningConfig",
      [&fs](const RequestContext& ctx, const shapes::CreateCodeSigningConfigRequest& in)
          -> Result<shapes::CreateCodeSigningConfigResponse> {
        LAMBDALITE_TRY(auto c, fs.CreateCodeSigningConfig(ctx.scope, ToCodeSigningConfigInput(in)));
        return shapes::CreateCodeSigningConfigResponse{ToCodeSigningConfig(ctx.scope, c)};
      });
  api.RegisterTyped<shapes::GetCodeSigningConfigRequest>(
      "GetCodeSigningConfig",
      [&fs](const RequestContext& ctx, const shapes::GetCodeSigningConfigRequest& in)
          -> Result<shapes::GetCodeSigningConfigResponse> {
        LAMBDALITE_TRY(auto c, fs.GetCodeSigningConfig(ctx.scope, in.CodeSigningConfigArn));
        return shapes::GetCodeSigningConfigResponse{ToCodeSigningConfig(ctx.scope, c)};
      });
  api.RegisterTyped<shapes::UpdateCodeSigningConfigRequest>(
      "UpdateCodeSigningConfig",
      [&fs](const RequestContext& ctx, const shapes::UpdateCodeSigningConfigRequest& in)
          -> Result<shapes::UpdateCodeSigningConfigResponse> {
        LAMBDALITE_TRY(auto c, fs.UpdateCodeSigningConfig(ctx.scope, in.CodeSigningConfigArn,
                                                          ToCodeSigningConfigInput(in)));
        return shapes::UpdateCodeSigningConfigResponse{ToCodeSigningConfig(ctx.scope, c)};
      });
  api.RegisterTyped<shapes::DeleteCodeSigningConfigRequest>(
      "DeleteCodeSigningConfig",
      [&fs](const RequestContext& ctx,
            const shapes::DeleteCodeSigningConfigRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(fs.DeleteCodeSigningConfig(ctx.scope, in.CodeSigningConfigArn));
        return Empty();
      });
  api.RegisterTyped<shapes::ListCodeSigningConfigsRequest>(
      "ListCodeSigningConfigs",
      [&fs](const RequestContext& ctx, const shapes::ListCodeSigningConfigsRequest& in)
          -> Result<shapes::ListCodeSigningConfigsResponse> {
        LAMBDALITE_TRY(auto page,
                       fs.ListCodeSigningConfigs(ctx.scope, in.Marker, MaxItems(in.MaxItems)));
        shapes::ListCodeSigningConfigsResponse out;
        auto& items = out.CodeSigningConfigs.emplace();
        for (const auto& c : page.items) items.push_back(ToCodeSigningConfig(ctx.scope, c));
        out.NextMarker = std::move(page.next_marker);
        return out;
      });
  api.RegisterTyped<shapes::ListFunctionsByCodeSigningConfigRequest>(
      "ListFunctionsByCodeSigningConfig",
      [&fs](const RequestContext& ctx, const shapes::ListFunctionsByCodeSigningConfigRequest& in)
          -> Result<shapes::ListFunctionsByCodeSigningConfigResponse> {
        LAMBDALITE_TRY(auto page,
                       fs.ListFunctionsByCodeSigningConfig(ctx.scope, in.CodeSigningConfigArn,
                                                           in.Marker, MaxItems(in.MaxItems)));
        shapes::ListFunctionsByCodeSigningConfigResponse out;
        out.FunctionArns = std::move(page.items);
        out.NextMarker = std::move(page.next_marker);
        return out;
      });

  // --- function bindings ------------------------------------------------------------------------
  api.RegisterTyped<shapes::PutFunctionCodeSigningConfigRequest>(
      "PutFunctionCodeSigningConfig",
      [&fs](const RequestContext& ctx, const shapes::PutFunctionCodeSigningConfigRequest& in)
          -> Result<shapes::PutFunctionCodeSigningConfigResponse> {
        LAMBDALITE_TRY(auto b, fs.PutFunctionCodeSigningConfig(ctx.scope, in.FunctionName,
                                                               in.CodeSigningConfigArn));
        return ToPutFunctionCodeSigningConfigResponse(std::move(b));
      });
  api.RegisterTyped<shapes::GetFunctionCodeSigningConfigRequest>(
      "GetFunctionCodeSigningConfig",
      [&fs](const RequestContext& ctx,
            const shapes::GetFunctionCodeSigningConfigRequest& in) -> Result<Reply> {
        LAMBDALITE_TRY(auto b, fs.GetFunctionCodeSigningConfig(ctx.scope, in.FunctionName));
        // A function without a config answers {} (reference CS10), though the model's members
        // are required.
        if (!b) {
          Reply r;
          r.json.emplace();
          return r;
        }
        return ToReply(ToGetFunctionCodeSigningConfigResponse(std::move(*b)));
      });
  api.RegisterTyped<shapes::DeleteFunctionCodeSigningConfigRequest>(
      "DeleteFunctionCodeSigningConfig",
      [&fs](const RequestContext& ctx,
            const shapes::DeleteFunctionCodeSigningConfigRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(fs.DeleteFunctionCodeSigningConfig(ctx.scope, in.FunctionName));
        return Empty();
      });

  // --- runtime management ---------------------------------------------------------------------
  api.RegisterTyped<shapes::PutRuntimeManagementConfigRequest>(
      "PutRuntimeManagementConfig",
      [&fs](const RequestContext& ctx,
            const shapes::PutRuntimeManagementConfigRequest& in) -> Result<Reply> {
        LAMBDALITE_TRY(auto v,
                       fs.PutRuntimeManagementConfig(ctx.scope, in.FunctionName, in.Qualifier,
                                                     ToRuntimeManagementConfig(in)));
        return RuntimeManagementReply(ToPutRuntimeManagementConfigResponse(std::move(v)));
      });
  api.RegisterTyped<shapes::GetRuntimeManagementConfigRequest>(
      "GetRuntimeManagementConfig",
      [&fs](const RequestContext& ctx,
            const shapes::GetRuntimeManagementConfigRequest& in) -> Result<Reply> {
        LAMBDALITE_TRY(auto v,
                       fs.GetRuntimeManagementConfig(ctx.scope, in.FunctionName, in.Qualifier));
        return RuntimeManagementReply(ToGetRuntimeManagementConfigResponse(std::move(v)));
      });
}

}  // namespace lambdalite::api
