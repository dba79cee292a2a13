#pragma once

#include <cstdint>

#include "api/lambda_api.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Registers the function URL config operations: Create/Get/Update/Delete/ListFunctionUrlConfig(s).
// `port` is the server's own: the FunctionUrl answered is served there (url_mapping.h).
void RegisterFunctionUrls(LambdaApi& api, service::FunctionService& functions, uint16_t port);

}  // namespace lambdalite::api
