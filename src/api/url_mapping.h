#pragma once

// Conversions between the function URL shapes (Create/Get/Update/ListFunctionUrlConfig(s)) and the
// service values, and the FunctionUrl a client can open. No I/O.

#include <cstdint>
#include <string>

#include "api/shapes.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Where a URL id is served: http://<id>.lambda-url.<region>.localhost:<port>/ (AWS's
// https://<id>.lambda-url.<region>.on.aws/ with the same id and trailing slash, on this server;
// *.localhost resolves to the loopback, RFC 6761). Port 80 is left out.
std::string FunctionUrlFor(const std::string& url_id, const std::string& region, uint16_t port);

// CreationTime / LastModifiedTime: ISO-8601 UTC with microseconds ("2024-01-31T12:34:56.789000Z").
std::string FormatUrlTimestamp(int64_t epoch_ms);

service::FunctionUrlInput ToFunctionUrlInput(const std::optional<std::string>& auth_type,
                                             const std::optional<shapes::Cors>& cors,
                                             const std::optional<std::string>& invoke_mode);

// Create and Update answer InvokeMode only when one was ever sent and no LastModifiedTime on
// Create (FU1, FU2, FU4); Get and List always show InvokeMode (BUFFERED by default) and
// LastModifiedTime (FU3, FU10).
shapes::CreateFunctionUrlConfigResponse ToCreateResponse(const service::FunctionUrlView& v,
                                                         uint16_t port);
shapes::UpdateFunctionUrlConfigResponse ToUpdateResponse(const service::FunctionUrlView& v,
                                                         uint16_t port);
shapes::GetFunctionUrlConfigResponse ToGetResponse(const service::FunctionUrlView& v,
                                                   uint16_t port);
shapes::FunctionUrlConfig ToListItem(const service::FunctionUrlView& v, uint16_t port);

}  // namespace lambdalite::api
