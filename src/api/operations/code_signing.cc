// Code signing config and runtime management config operations: AWS shapes in, service calls,
// AWS shapes out. The rules live in service/code_signing_ops.cc and runtime_management_ops.cc.
#include "api/operations/code_signing.h"

#include "api/mapping.h"
#include "common/time_format.h"

namespace lambdalite::api {

namespace json = boost::json;
using service::FunctionService;

namespace {

constexpr int kDefaultMaxItems = 50;

Reply JsonReply(json::object body) {
  Reply r;
  r.json = std::move(body);
  return r;
}

Reply Empty() { return Reply{}; }  // the model's success code (204 for the deletes)

std::string Arn(const json::object& in) {
  return GetString(in, "CodeSigningConfigArn").value_or("");
}
std::string Name(const json::object& in) { return GetString(in, "FunctionName").value_or(""); }
int MaxItems(const json::object& in) {
  return static_cast<int>(GetInt(in, "MaxItems").value_or(kDefaultMaxItems));
}

service::CodeSigningConfigInput ToCodeSigningConfigInput(const json::object& in) {
  service::CodeSigningConfigInput out;
  out.description = GetString(in, "Description");
  if (const json::object* p = GetObject(in, "AllowedPublishers")) {
    if (const json::array* arns = GetArray(*p, "SigningProfileVersionArns")) {
      std::vector<std::string> list;
      for (const auto& a : *arns) {
        if (a.is_string()) list.emplace_back(a.get_string());
      }
      out.signing_profile_version_arns = std::move(list);
    }
  }
  if (const json::object* p = GetObject(in, "CodeSigningPolicies")) {
    out.untrusted_artifact_on_deployment = GetString(*p, "UntrustedArtifactOnDeployment");
  }
  out.tags = GetStringMap(in, "Tags");
  return out;
}

json::object ToCodeSigningConfig(const domain::Scope& scope, const domain::CodeSigningConfig& c) {
  json::array arns;
  for (const auto& a : c.signing_profile_version_arns) arns.emplace_back(a);
  return json::object{
      {"CodeSigningConfigId", c.id},
      {"CodeSigningConfigArn", domain::CodeSigningConfigArn(scope, c.id)},
      {"Description", c.description},
      {"AllowedPublishers", json::object{{"SigningProfileVersionArns", std::move(arns)}}},
      {"CodeSigningPolicies",
       json::object{{"UntrustedArtifactOnDeployment", c.untrusted_artifact_on_deployment}}},
      {"LastModified", FormatLambdaTimestamp(c.last_modified_ms)}};
}

json::object ToRuntimeManagementConfig(const service::RuntimeManagementView& v) {
  json::object o{{"UpdateRuntimeOn", v.config.update_runtime_on}, {"FunctionArn", v.function_arn}};
  // AWS sends null for the ARN outside the Manual mode.
  if (v.config.runtime_version_arn) {
    o["RuntimeVersionArn"] = *v.config.runtime_version_arn;
  } else {
    o["RuntimeVersionArn"] = nullptr;
  }
  return o;
}

}  // namespace

void RegisterCodeSigning(LambdaApi& api, FunctionService& fs) {
  // --- code signing configs ---------------------------------------------------------------------
  api.Register("CreateCodeSigningConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(
                     auto c, fs.CreateCodeSigningConfig(ctx.scope, ToCodeSigningConfigInput(in)));
                 return JsonReply({{"CodeSigningConfig", ToCodeSigningConfig(ctx.scope, c)}});
               });
  api.Register("GetCodeSigningConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto c, fs.GetCodeSigningConfig(ctx.scope, Arn(in)));
                 return JsonReply({{"CodeSigningConfig", ToCodeSigningConfig(ctx.scope, c)}});
               });
  api.Register("UpdateCodeSigningConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto c, fs.UpdateCodeSigningConfig(ctx.scope, Arn(in),
                                                                   ToCodeSigningConfigInput(in)));
                 return JsonReply({{"CodeSigningConfig", ToCodeSigningConfig(ctx.scope, c)}});
               });
  api.Register("DeleteCodeSigningConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_RETURN_IF_ERROR(fs.DeleteCodeSigningConfig(ctx.scope, Arn(in)));
                 return Empty();
               });
  api.Register("ListCodeSigningConfigs",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto page, fs.ListCodeSigningConfigs(
                                               ctx.scope, GetString(in, "Marker"), MaxItems(in)));
                 json::array items;
                 for (const auto& c : page.items)
                   items.push_back(ToCodeSigningConfig(ctx.scope, c));
                 json::object out{{"CodeSigningConfigs", std::move(items)}};
                 if (page.next_marker) out["NextMarker"] = *page.next_marker;
                 return JsonReply(std::move(out));
               });
  api.Register("ListFunctionsByCodeSigningConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto page,
                                fs.ListFunctionsByCodeSigningConfig(
                                    ctx.scope, Arn(in), GetString(in, "Marker"), MaxItems(in)));
                 json::array arns;
                 for (const auto& a : page.items) arns.emplace_back(a);
                 json::object out{{"FunctionArns", std::move(arns)}};
                 if (page.next_marker) out["NextMarker"] = *page.next_marker;
                 return JsonReply(std::move(out));
               });

  // --- function bindings ------------------------------------------------------------------------
  api.Register("PutFunctionCodeSigningConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto b,
                                fs.PutFunctionCodeSigningConfig(ctx.scope, Name(in), Arn(in)));
                 return JsonReply({{"CodeSigningConfigArn", b.code_signing_config_arn},
                                   {"FunctionName", b.function_name}});
               });
  api.Register("GetFunctionCodeSigningConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto b, fs.GetFunctionCodeSigningConfig(ctx.scope, Name(in)));
                 // A function without a config answers {} (reference CS10).
                 if (!b) return JsonReply({});
                 return JsonReply({{"CodeSigningConfigArn", b->code_signing_config_arn},
                                   {"FunctionName", b->function_name}});
               });
  api.Register(
      "DeleteFunctionCodeSigningConfig",
      [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
        LAMBDALITE_RETURN_IF_ERROR(fs.DeleteFunctionCodeSigningConfig(ctx.scope, Name(in)));
        return Empty();
      });

  // --- runtime management ---------------------------------------------------------------------
  api.Register("PutRuntimeManagementConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 domain::RuntimeManagementConfig config;
                 config.update_runtime_on = GetString(in, "UpdateRuntimeOn").value_or("Auto");
                 config.runtime_version_arn = GetString(in, "RuntimeVersionArn");
                 LAMBDALITE_TRY(auto v, fs.PutRuntimeManagementConfig(ctx.scope, Name(in),
                                                                      GetString(in, "Qualifier"),
                                                                      std::move(config)));
                 return JsonReply(ToRuntimeManagementConfig(v));
               });
  api.Register("GetRuntimeManagementConfig",
               [&fs](const RequestContext& ctx, const json::object& in) -> Result<Reply> {
                 LAMBDALITE_TRY(auto v, fs.GetRuntimeManagementConfig(ctx.scope, Name(in),
                                                                      GetString(in, "Qualifier")));
                 return JsonReply(ToRuntimeManagementConfig(v));
               });
}

}  // namespace lambdalite::api
