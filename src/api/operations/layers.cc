// Layer operations: member mapping only (api/layer_mapping.h); the rules are in
// service/layer_ops.cc. Success codes are the model's (Publish and AddLayerVersionPermission 201,
// the deletes 204).
#include "api/operations/layers.h"

#include "api/layer_mapping.h"
#include "api/shapes.h"

namespace lambdalite::api {

namespace {

constexpr int kDefaultMaxItems = 50;

// As GetFunction's Code.Location (control_plane.cc): the host the client called.
std::string Location(const RequestContext& ctx, const service::CodeUrlSigner& signer,
                     const std::string& blob_id) {
  return "http://" + (ctx.host.empty() ? std::string("127.0.0.1") : ctx.host) +
         signer.SignPath(blob_id);
}

Reply NoContent() {
  Reply r;
  r.status = 204;
  return r;
}

// The scope a layer's ARNs are rendered in: the one its LayerName names, else the caller's.
domain::Scope OwnerOf(const domain::Scope& caller, const std::string& layer_name) {
  domain::LayerNameRef ref = domain::ParseLayerName(layer_name);
  return ref.scope ? *ref.scope : caller;
}

}  // namespace

void RegisterLayers(LambdaApi& api, service::FunctionService& fs,
                    const service::CodeUrlSigner& signer) {
  api.RegisterTyped<shapes::PublishLayerVersionRequest>(
      "PublishLayerVersion",
      [&fs, &signer](const RequestContext& ctx, const shapes::PublishLayerVersionRequest& in)
          -> Result<shapes::PublishLayerVersionResponse> {
        LAMBDALITE_TRY(domain::LayerVersion v,
                       fs.PublishLayerVersion(ctx.scope, ToPublishLayerInput(in)));
        return ToLayerVersionShape<shapes::PublishLayerVersionResponse>(
            ctx.scope, v, Location(ctx, signer, v.code.blob_id));
      });
  api.RegisterTyped<shapes::GetLayerVersionRequest>(
      "GetLayerVersion",
      [&fs, &signer](const RequestContext& ctx, const shapes::GetLayerVersionRequest& in)
          -> Result<shapes::GetLayerVersionResponse> {
        LAMBDALITE_TRY(domain::LayerVersion v,
                       fs.GetLayerVersion(ctx.scope, in.LayerName, in.VersionNumber));
        return ToLayerVersionShape<shapes::GetLayerVersionResponse>(
            OwnerOf(ctx.scope, in.LayerName), v, Location(ctx, signer, v.code.blob_id));
      });
  api.RegisterTyped<shapes::GetLayerVersionByArnRequest>(
      "GetLayerVersionByArn",
      [&fs, &signer](const RequestContext& ctx, const shapes::GetLayerVersionByArnRequest& in)
          -> Result<shapes::GetLayerVersionResponse> {
        LAMBDALITE_TRY(domain::LayerVersion v, fs.GetLayerVersionByArn(ctx.scope, in.Arn));
        auto ref = domain::ParseLayerVersionArn(in.Arn);
        return ToLayerVersionShape<shapes::GetLayerVersionResponse>(
            ref ? ref->scope : ctx.scope, v, Location(ctx, signer, v.code.blob_id));
      });
  api.RegisterTyped<shapes::ListLayersRequest>(
      "ListLayers",
      [&fs](const RequestContext& ctx,
            const shapes::ListLayersRequest& in) -> Result<shapes::ListLayersResponse> {
        LAMBDALITE_TRY(auto page,
                       fs.ListLayers(ctx.scope, in.CompatibleRuntime, in.CompatibleArchitecture,
                                     in.Marker, in.MaxItems.value_or(kDefaultMaxItems)));
        shapes::ListLayersResponse out;
        auto& layers = out.Layers.emplace();
        for (const auto& v : page.items) layers.push_back(ToLayersListItem(ctx.scope, v));
        out.NextMarker = page.next_marker;
        return out;
      });
  api.RegisterTyped<shapes::ListLayerVersionsRequest>(
      "ListLayerVersions",
      [&fs](const RequestContext& ctx, const shapes::ListLayerVersionsRequest& in)
          -> Result<shapes::ListLayerVersionsResponse> {
        LAMBDALITE_TRY(auto page,
                       fs.ListLayerVersions(ctx.scope, in.LayerName, in.CompatibleRuntime,
                                            in.CompatibleArchitecture, in.Marker,
                                            in.MaxItems.value_or(kDefaultMaxItems)));
        const domain::Scope owner = OwnerOf(ctx.scope, in.LayerName);
        shapes::ListLayerVersionsResponse out;
        auto& versions = out.LayerVersions.emplace();
        for (const auto& v : page.items) versions.push_back(ToLayerVersionsListItem(owner, v));
        out.NextMarker = page.next_marker;
        return out;
      });
  api.RegisterTyped<shapes::DeleteLayerVersionRequest>(
      "DeleteLayerVersion",
      [&fs](const RequestContext& ctx,
            const shapes::DeleteLayerVersionRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(
            fs.DeleteLayerVersion(ctx.scope, in.LayerName, in.VersionNumber));
        return NoContent();
      });
  api.RegisterTyped<shapes::AddLayerVersionPermissionRequest>(
      "AddLayerVersionPermission",
      [&fs](const RequestContext& ctx, const shapes::AddLayerVersionPermissionRequest& in)
          -> Result<shapes::AddLayerVersionPermissionResponse> {
        LAMBDALITE_TRY(service::LayerPermissionView view,
                       fs.AddLayerVersionPermission(ctx.scope, in.LayerName, in.VersionNumber,
                                                    ToAddLayerPermissionInput(in)));
        shapes::AddLayerVersionPermissionResponse out;
        out.RevisionId = std::move(view.revision_id);
        out.Statement = std::move(view.statement);
        return out;
      });
  api.RegisterTyped<shapes::GetLayerVersionPolicyRequest>(
      "GetLayerVersionPolicy",
      [&fs](const RequestContext& ctx, const shapes::GetLayerVersionPolicyRequest& in)
          -> Result<shapes::GetLayerVersionPolicyResponse> {
        LAMBDALITE_TRY(service::PolicyView view,
                       fs.GetLayerVersionPolicy(ctx.scope, in.LayerName, in.VersionNumber));
        shapes::GetLayerVersionPolicyResponse out;
        out.Policy = std::move(view.document);
        out.RevisionId = std::move(view.revision_id);
        return out;
      });
  api.RegisterTyped<shapes::RemoveLayerVersionPermissionRequest>(
      "RemoveLayerVersionPermission",
      [&fs](const RequestContext& ctx,
            const shapes::RemoveLayerVersionPermissionRequest& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(fs.RemoveLayerVersionPermission(
            ctx.scope, in.LayerName, in.VersionNumber, in.StatementId, in.RevisionId));
        return NoContent();
      });
}

}  // namespace lambdalite::api
