#include "api/layer_mapping.h"

#include "common/time_format.h"

namespace lambdalite::api {

service::PublishLayerInput ToPublishLayerInput(const shapes::PublishLayerVersionRequest& in) {
  service::PublishLayerInput out;
  out.layer_name = in.LayerName;
  out.content.zip_file = in.Content.ZipFile;
  out.content.s3_bucket = in.Content.S3Bucket;
  out.content.s3_key = in.Content.S3Key;
  out.content.s3_object_version = in.Content.S3ObjectVersion;
  out.description = in.Description;
  out.license_info = in.LicenseInfo;
  out.compatible_runtimes = in.CompatibleRuntimes;
  out.compatible_architectures = in.CompatibleArchitectures;
  return out;
}

template <class Shape>
Shape ToLayerVersionShape(const domain::Scope& scope, const domain::LayerVersion& v,
                          std::string location) {
  Shape out;
  out.CompatibleArchitectures = v.compatible_architectures;
  out.CompatibleRuntimes = v.compatible_runtimes;
  auto& content = out.Content.emplace();
  content.CodeSha256 = v.code.sha256_base64;
  content.CodeSize = v.code.size;
  content.Location = std::move(location);
  out.CreatedDate = FormatLambdaTimestamp(v.created_ms);
  out.Description = v.description;
  out.LayerArn = domain::LayerArn(scope, v.name);
  out.LayerVersionArn = domain::LayerVersionArn(scope, v.name, v.version);
  out.LicenseInfo = v.license_info;
  out.Version = v.version;
  return out;
}

template shapes::PublishLayerVersionResponse ToLayerVersionShape(const domain::Scope&,
                                                                 const domain::LayerVersion&,
                                                                 std::string);
template shapes::GetLayerVersionResponse ToLayerVersionShape(const domain::Scope&,
                                                             const domain::LayerVersion&,
                                                             std::string);

shapes::LayerVersionsListItem ToLayerVersionsListItem(const domain::Scope& scope,
                                                      const domain::LayerVersion& v) {
  shapes::LayerVersionsListItem out;
  out.CompatibleArchitectures = v.compatible_architectures;
  out.CompatibleRuntimes = v.compatible_runtimes;
  out.CreatedDate = FormatLambdaTimestamp(v.created_ms);
  out.Description = v.description;
  out.LayerVersionArn = domain::LayerVersionArn(scope, v.name, v.version);
  out.LicenseInfo = v.license_info;
  out.Version = v.version;
  return out;
}

shapes::LayersListItem ToLayersListItem(const domain::Scope& scope, const domain::LayerVersion& v) {
  shapes::LayersListItem out;
  out.LatestMatchingVersion = ToLayerVersionsListItem(scope, v);
  out.LayerArn = domain::LayerArn(scope, v.name);
  out.LayerName = v.name;
  return out;
}

service::AddLayerPermissionInput ToAddLayerPermissionInput(
    const shapes::AddLayerVersionPermissionRequest& in) {
  service::AddLayerPermissionInput out;
  out.statement_id = in.StatementId;
  out.action = in.Action;
  out.principal = in.Principal;
  out.organization_id = in.OrganizationId;
  out.revision_id = in.RevisionId;
  return out;
}

}  // namespace lambdalite::api
