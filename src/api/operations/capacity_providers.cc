// Capacity-provider operations: member mapping only (api/capacity_provider_mapping.h; the rules
// are in service/capacity_provider_ops.cc).
#include "api/operations/capacity_providers.h"

#include "api/capacity_provider_mapping.h"
#include "api/shapes.h"

namespace lambdalite::api {

namespace {

constexpr int kDefaultMaxItems = 50;

}  // namespace

void RegisterCapacityProviders(LambdaApi& api, service::FunctionService& fs) {
  api.RegisterTyped<shapes::CreateCapacityProviderRequest>(
      "CreateCapacityProvider",
      [&fs](const RequestContext& ctx, const shapes::CreateCapacityProviderRequest& in)
          -> Result<shapes::CreateCapacityProviderResponse> {
        LAMBDALITE_TRY(auto view, fs.CreateCapacityProvider(ctx.scope, in.CapacityProviderName,
                                                            ToCapacityProvider(in)));
        return shapes::CreateCapacityProviderResponse{ToCapacityProviderShape(view)};
      });
  api.RegisterTyped<shapes::GetCapacityProviderRequest>(
      "GetCapacityProvider",
      [&fs](const RequestContext& ctx, const shapes::GetCapacityProviderRequest& in)
          -> Result<shapes::GetCapacityProviderResponse> {
        LAMBDALITE_TRY(auto view, fs.GetCapacityProvider(ctx.scope, in.CapacityProviderName));
        return shapes::GetCapacityProviderResponse{ToCapacityProviderShape(view)};
      });
  api.RegisterTyped<shapes::UpdateCapacityProviderRequest>(
      "UpdateCapacityProvider",
      [&fs](const RequestContext& ctx, const shapes::UpdateCapacityProviderRequest& in)
          -> Result<shapes::UpdateCapacityProviderResponse> {
        std::optional<domain::CapacityProviderScalingConfig> scaling;
        if (in.CapacityProviderScalingConfig) {
          scaling = ToScalingConfig(*in.CapacityProviderScalingConfig);
        }
        LAMBDALITE_TRY(auto view,
                       fs.UpdateCapacityProvider(ctx.scope, in.CapacityProviderName, scaling));
        return shapes::UpdateCapacityProviderResponse{ToCapacityProviderShape(view)};
      });
  api.RegisterTyped<shapes::DeleteCapacityProviderRequest>(
      "DeleteCapacityProvider",
      [&fs](const RequestContext& ctx, const shapes::DeleteCapacityProviderRequest& in)
          -> Result<shapes::DeleteCapacityProviderResponse> {
        LAMBDALITE_TRY(auto view, fs.DeleteCapacityProvider(ctx.scope, in.CapacityProviderName));
        return shapes::DeleteCapacityProviderResponse{ToCapacityProviderShape(view)};
      });
  api.RegisterTyped<shapes::ListCapacityProvidersRequest>(
      "ListCapacityProviders",
      [&fs](const RequestContext& ctx, const shapes::ListCapacityProvidersRequest& in)
          -> Result<shapes::ListCapacityProvidersResponse> {
        LAMBDALITE_TRY(auto page,
                       fs.ListCapacityProviders(ctx.scope, ToCapacityProviderState(in.State),
                                                in.Marker, in.MaxItems.value_or(kDefaultMaxItems)));
        shapes::ListCapacityProvidersResponse out;
        for (const auto& v : page.items)
          out.CapacityProviders.push_back(ToCapacityProviderShape(v));
        out.NextMarker = page.next_marker;
        return out;
      });
  api.RegisterTyped<shapes::ListFunctionVersionsByCapacityProviderRequest>(
      "ListFunctionVersionsByCapacityProvider",
      [&fs](const RequestContext& ctx,
            const shapes::ListFunctionVersionsByCapacityProviderRequest& in)
          -> Result<shapes::ListFunctionVersionsByCapacityProviderResponse> {
        LAMBDALITE_TRY(auto view, fs.GetCapacityProvider(ctx.scope, in.CapacityProviderName));
        LAMBDALITE_TRY(auto page, fs.ListFunctionVersionsByCapacityProvider(
                                      ctx.scope, in.CapacityProviderName, in.Marker,
                                      in.MaxItems.value_or(kDefaultMaxItems)));
        shapes::ListFunctionVersionsByCapacityProviderResponse out;
        out.CapacityProviderArn = view.arn;
        for (const auto& arn : page.items) {
          shapes::FunctionVersionsByCapacityProviderListItem item;
          item.FunctionArn = arn;
          item.State = "Active";
          out.FunctionVersions.push_back(std::move(item));
        }
        out.NextMarker = page.next_marker;
        return out;
      });
  api.RegisterTyped<shapes::PutFunctionScalingConfigRequest>(
      "PutFunctionScalingConfig",
      [&fs](const RequestContext& ctx, const shapes::PutFunctionScalingConfigRequest& in)
          -> Result<shapes::PutFunctionScalingConfigResponse> {
        domain::FunctionScalingConfig config;
        if (in.FunctionScalingConfig) config = ToFunctionScalingConfig(*in.FunctionScalingConfig);
        LAMBDALITE_TRY(auto state, fs.PutFunctionScalingConfig(ctx.scope, in.FunctionName,
                                                               in.Qualifier, config));
        shapes::PutFunctionScalingConfigResponse out;
        out.FunctionState = state;
        return out;
      });
  api.RegisterTyped<shapes::GetFunctionScalingConfigRequest>(
      "GetFunctionScalingConfig",
      [&fs](const RequestContext& ctx, const shapes::GetFunctionScalingConfigRequest& in)
          -> Result<shapes::GetFunctionScalingConfigResponse> {
        LAMBDALITE_TRY(auto view,
                       fs.GetFunctionScalingConfig(ctx.scope, in.FunctionName, in.Qualifier));
        shapes::GetFunctionScalingConfigResponse out;
        out.FunctionArn = view.function_arn;
        if (view.config) {
          // lambdalite applies a config at once.
          out.AppliedFunctionScalingConfig = ToFunctionScalingConfigShape(*view.config);
          out.RequestedFunctionScalingConfig = out.AppliedFunctionScalingConfig;
        }
        return out;
      });
}

}  // namespace lambdalite::api
