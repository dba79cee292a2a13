// Function URL config operations: member mapping only (the rules are in service/url_ops.cc).
// The success codes (Create 201, Delete 204) are the model's.
#include "api/operations/function_urls.h"

#include <algorithm>

#include "api/shapes.h"
#include "api/url_mapping.h"

namespace lambdalite::api {

namespace {
constexpr int kDefaultMaxItems = 50;
}  // namespace

void RegisterFunctionUrls(LambdaApi& api, service::FunctionService& fs, uint16_t port) {
  api.RegisterTyped<shapes::CreateFunctionUrlConfigRequest>(
      "CreateFunctionUrlConfig",
      [&fs, port](const RequestContext& ctx, const shapes::CreateFunctionUrlConfigRequest& in)
          -> Result<shapes::CreateFunctionUrlConfigResponse> {
        LAMBDALITE_TRY(auto view, fs.CreateFunctionUrlConfig(
                                      ctx.scope, in.FunctionName, in.Qualifier,
                                      ToFunctionUrlInput(in.AuthType, in.Cors, in.InvokeMode)));
        return ToCreateResponse(view, port);
      });
  api.RegisterTyped<shapes::GetFunctionUrlConfigRequest>(
      "GetFunctionUrlConfig",
      [&fs, port](const RequestContext& ctx, const shapes::GetFunctionUrlConfigRequest& in)
          -> Result<shapes::GetFunctionUrlConfigResponse> {
        LAMBDALITE_TRY(auto view,
                       fs.GetFunctionUrlConfig(ctx.scope, in.FunctionName, in.Qualifier));
        return ToGetResponse(view, port);
      });
  api.RegisterTyped<shapes::UpdateFunctionUrlConfigRequest>(
      "UpdateFunctionUrlConfig",
      [&fs, port](const RequestContext& ctx, const shapes::UpdateFunctionUrlConfigRequest& in)
          -> Result<shapes::UpdateFunctionUrlConfigResponse> {
        LAMBDALITE_TRY(auto view, fs.UpdateFunctionUrlConfig(
                                      ctx.scope, in.FunctionName, in.Qualifier,
                                      ToFunctionUrlInput(in.AuthType, in.Cors, in.InvokeMode)));
        return ToUpdateResponse(view, port);
      });
  api.RegisterTyped<shapes::DeleteFunctionUrlConfigRequest>(
      "DeleteFunctionUrlConfig",
      [&fs](const RequestContext& ctx,
            const shapes::DeleteFunctionUrlConfigRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(
            fs.DeleteFunctionUrlConfig(ctx.scope, in.FunctionName, in.Qualifier));
        return Reply{};  // the model's 204, no body
      });
  api.RegisterTyped<shapes::ListFunctionUrlConfigsRequest>(
      "ListFunctionUrlConfigs",
      [&fs, port](const RequestContext& ctx, const shapes::ListFunctionUrlConfigsRequest& in)
          -> Result<shapes::ListFunctionUrlConfigsResponse> {
        const int max_items = std::min(in.MaxItems.value_or(kDefaultMaxItems), kDefaultMaxItems);
        LAMBDALITE_TRY(auto page,
                       fs.ListFunctionUrlConfigs(ctx.scope, in.FunctionName, in.Marker, max_items));
        shapes::ListFunctionUrlConfigsResponse out;
        for (const auto& v : page.items) out.FunctionUrlConfigs.push_back(ToListItem(v, port));
        out.NextMarker = page.next_marker;
        return out;
      });
}

}  // namespace lambdalite::api
