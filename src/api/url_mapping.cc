#include "api/url_mapping.h"

#include "common/time_format.h"
#include "domain/names.h"

namespace lambdalite::api {

namespace {

std::optional<shapes::Cors> ToShape(const std::optional<domain::UrlCors>& c) {
  if (!c) return std::nullopt;
  shapes::Cors out;
  out.AllowCredentials = c->allow_credentials;
  out.AllowHeaders = c->allow_headers;
  out.AllowMethods = c->allow_methods;
  out.AllowOrigins = c->allow_origins;
  out.ExposeHeaders = c->expose_headers;
  out.MaxAge = c->max_age;
  return out;
}

std::string RegionOf(const std::string& function_arn) {
  // arn:aws:lambda:<region>:...
  size_t start = 0;
  for (int i = 0; i < 3; ++i) start = function_arn.find(':', start) + 1;
  return function_arn.substr(start, function_arn.find(':', start) - start);
}

// The members every answer shares.
template <class Shape>
Shape Common(const service::FunctionUrlView& v, uint16_t port) {
  Shape out;
  out.AuthType = v.config.auth_type;
  out.Cors = ToShape(v.config.cors);
  out.CreationTime = FormatUrlTimestamp(v.config.creation_ms);
  out.FunctionArn = v.function_arn;
  out.FunctionUrl = FunctionUrlFor(v.config.url_id, RegionOf(v.function_arn), port);
  return out;
}

}  // namespace

std::string FunctionUrlFor(const std::string& url_id, const std::string& region, uint16_t port) {
  std::string url = "http://" + url_id + ".lambda-url." + region + ".localhost";
  if (port != 80) url += ":" + std::to_string(port);
  url += "/";
  return url;
}

std::string FormatUrlTimestamp(int64_t epoch_ms) {
  std::string text = FormatIso8601Millis(epoch_ms);  // "...:56.789Z"
  if (!text.empty() && text.back() == 'Z') text.insert(text.size() - 1, "000");
  return text;
}

service::FunctionUrlInput ToFunctionUrlInput(const std::optional<std::string>& auth_type,
                                             const std::optional<shapes::Cors>& cors,
                                             const std::optional<std::string>& invoke_mode) {
  service::FunctionUrlInput in;
  in.auth_type = auth_type;
  in.invoke_mode = invoke_mode;
  if (cors) {
    domain::UrlCors c;
    c.allow_credentials = cors->AllowCredentials;
    c.allow_headers = cors->AllowHeaders;
    c.allow_methods = cors->AllowMethods;
    c.allow_origins = cors->AllowOrigins;
    c.expose_headers = cors->ExposeHeaders;
    c.max_age = cors->MaxAge;
    in.cors = std::move(c);
  }
  return in;
}

shapes::CreateFunctionUrlConfigResponse ToCreateResponse(const service::FunctionUrlView& v,
                                                         uint16_t port) {
  auto out = Common<shapes::CreateFunctionUrlConfigResponse>(v, port);
  out.InvokeMode = v.config.invoke_mode;
  return out;
}

shapes::UpdateFunctionUrlConfigResponse ToUpdateResponse(const service::FunctionUrlView& v,
                                                         uint16_t port) {
  auto out = Common<shapes::UpdateFunctionUrlConfigResponse>(v, port);
  out.InvokeMode = v.config.invoke_mode;
  out.LastModifiedTime = FormatUrlTimestamp(v.config.last_modified_ms);
  return out;
}

shapes::GetFunctionUrlConfigResponse ToGetResponse(const service::FunctionUrlView& v,
                                                   uint16_t port) {
  auto out = Common<shapes::GetFunctionUrlConfigResponse>(v, port);
  out.InvokeMode = v.config.invoke_mode.value_or(std::string(domain::kInvokeModeBuffered));
  out.LastModifiedTime = FormatUrlTimestamp(v.config.last_modified_ms);
  return out;
}

shapes::FunctionUrlConfig ToListItem(const service::FunctionUrlView& v, uint16_t port) {
  auto out = Common<shapes::FunctionUrlConfig>(v, port);
  out.InvokeMode = v.config.invoke_mode.value_or(std::string(domain::kInvokeModeBuffered));
  out.LastModifiedTime = FormatUrlTimestamp(v.config.last_modified_ms);
  return out;
}

}  // namespace lambdalite::api
