#include "api/code_signing_mapping.h"

#include <utility>

#include "common/time_format.h"

namespace lambdalite::api {

namespace {

// The members Create and Update share.
template <class Req>
service::CodeSigningConfigInput CodeSigningConfigInputOf(const Req& in) {
  service::CodeSigningConfigInput out;
  out.description = in.Description;
  if (in.CodeSigningPolicies) {
    out.untrusted_artifact_on_deployment = in.CodeSigningPolicies->UntrustedArtifactOnDeployment;
  }
  return out;
}

}  // namespace

service::CodeSigningConfigInput ToCodeSigningConfigInput(
    const shapes::CreateCodeSigningConfigRequest& in) {
  service::CodeSigningConfigInput out = CodeSigningConfigInputOf(in);
  out.signing_profile_version_arns = in.AllowedPublishers.SigningProfileVersionArns;
  if (in.Tags) out.tags = *in.Tags;
  return out;
}

service::CodeSigningConfigInput ToCodeSigningConfigInput(
    const shapes::UpdateCodeSigningConfigRequest& in) {
  service::CodeSigningConfigInput out = CodeSigningConfigInputOf(in);
  if (in.AllowedPublishers) {
    out.signing_profile_version_arns = in.AllowedPublishers->SigningProfileVersionArns;
  }
  return out;
}

domain::RuntimeManagementConfig ToRuntimeManagementConfig(
    const shapes::PutRuntimeManagementConfigRequest& in) {
  domain::RuntimeManagementConfig out;
  out.update_runtime_on = in.UpdateRuntimeOn;
  out.runtime_version_arn = in.RuntimeVersionArn;
  return out;
}

shapes::CodeSigningConfig ToCodeSigningConfig(const domain::Scope& scope,
                                              const domain::CodeSigningConfig& config) {
  shapes::CodeSigningConfig out;
  out.CodeSigningConfigId = config.id;
  out.CodeSigningConfigArn = domain::CodeSigningConfigArn(scope, config.id);
  out.Description = config.description;
  out.AllowedPublishers.SigningProfileVersionArns = config.signing_profile_version_arns;
  out.CodeSigningPolicies.UntrustedArtifactOnDeployment = config.untrusted_artifact_on_deployment;
  out.LastModified = FormatLambdaTimestamp(config.last_modified_ms);
  return out;
}

namespace {
// Put and Get answer the same two members.
template <class Response>
Response BindingResponse(service::FunctionCodeSigning binding) {
  Response out;
  out.CodeSigningConfigArn = std::move(binding.code_signing_config_arn);
  out.FunctionName = std::move(binding.function_name);
  return out;
}
}  // namespace

shapes::PutFunctionCodeSigningConfigResponse ToPutFunctionCodeSigningConfigResponse(
    service::FunctionCodeSigning binding) {
  return BindingResponse<shapes::PutFunctionCodeSigningConfigResponse>(std::move(binding));
}

shapes::GetFunctionCodeSigningConfigResponse ToGetFunctionCodeSigningConfigResponse(
    service::FunctionCodeSigning binding) {
  return BindingResponse<shapes::GetFunctionCodeSigningConfigResponse>(std::move(binding));
}

namespace {
// Put and Get answer the same three members.
template <class Response>
Response RuntimeManagementResponse(service::RuntimeManagementView view) {
  Response out;
  out.UpdateRuntimeOn = std::move(view.config.update_runtime_on);
  out.FunctionArn = std::move(view.function_arn);
  out.RuntimeVersionArn = std::move(view.config.runtime_version_arn);
  return out;
}
}  // namespace

shapes::PutRuntimeManagementConfigResponse ToPutRuntimeManagementConfigResponse(
    service::RuntimeManagementView view) {
  return RuntimeManagementResponse<shapes::PutRuntimeManagementConfigResponse>(std::move(view));
}

shapes::GetRuntimeManagementConfigResponse ToGetRuntimeManagementConfigResponse(
    service::RuntimeManagementView view) {
  return RuntimeManagementResponse<shapes::GetRuntimeManagementConfigResponse>(std::move(view));
}

}  // namespace lambdalite::api
