#pragma once

#include "api/lambda_api.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Registers the code signing config operations (Create/Get/Update/Delete/ListCodeSigningConfigs,
// ListFunctionsByCodeSigningConfig, Put/Get/DeleteFunctionCodeSigningConfig) and the runtime
// management config operations (Put/GetRuntimeManagementConfig).
void RegisterCodeSigning(LambdaApi& api, service::FunctionService& functions);

}  // namespace lambdalite::api
