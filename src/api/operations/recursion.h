#pragma once

#include "api/lambda_api.h"
#include "service/function_service.h"

namespace lambdalite::api {

// Registers PutFunctionRecursionConfig and GetFunctionRecursionConfig.
void RegisterRecursion(LambdaApi& api, service::FunctionService& functions);

}  // namespace lambdalite::api
